# expect: attr-defined
# expect-pyright: reportAttributeAccessIssue
import fchain

# fchain.cuda.cupy is looked up on first use; other names are not invented.
xp = fchain.cuda.cupyy
