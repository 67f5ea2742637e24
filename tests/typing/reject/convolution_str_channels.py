# expect: call-overload
# expect-pyright: reportCallIssue
import fchain.links as L

L.Convolution2D("3", 16, 3)
