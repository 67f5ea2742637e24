# expect: assignment
# expect-pyright: reportAssignmentType
import fchainmn

comm = fchainmn.create_communicator("naive")
count: int = comm.bcast_obj("a string from rank 0")
