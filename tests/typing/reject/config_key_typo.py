# expect: attr-defined
# expect-pyright: reportAttributeAccessIssue
import fchain

# The configuration's keys are declared: a misspelt one is an error.
if fchain.config.trian:
    print("training")
