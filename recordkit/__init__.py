"""What every record kind is built from: the owner's sharing panel (publish, put a partner on
the list, approval when the policy asks) and its URLs. It sits above sharing and approvals and
below the kinds (pipeline, solutions, marketing), which call it with their own records."""
