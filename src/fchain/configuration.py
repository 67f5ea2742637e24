"""``fchain.configuration`` (Chainer's ``chainer.configuration``): the configuration
objects and ``using_config``, the same objects as ``fchain.config`` and friends.

``config`` is per thread and per async task; ``global_config`` holds the defaults
that new threads start from (see ``fchain.graph.config``).  ``ConfigKey`` declares a
key of your own, typed (``fchain.graph.config_key``).
"""

from __future__ import annotations

from fchain.graph.config import GlobalConfig as GlobalConfig
from fchain.graph.config_key import ConfigKey as ConfigKey
from fchain.graph.config import LocalConfig as LocalConfig
from fchain.graph.config import config as config
from fchain.graph.config import global_config as global_config
from fchain.graph.config import using_config as using_config

__all__ = ["ConfigKey", "GlobalConfig", "LocalConfig", "config", "global_config", "using_config"]
