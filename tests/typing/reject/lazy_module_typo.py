# expect: attr-defined
# expect-pyright: reportAttributeAccessIssue
import fchain

# fchain.serializers loads on first use through a module __getattr__ that mypy must
# not see: a misspelt module is still an error.
fchain.serializer.save_npz("model.npz", fchain.Link())
