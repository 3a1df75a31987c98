"""AWS's answers to the gap analyzer (``scanner/gaps/``): what a principal is granted, statement
by statement (:mod:`.grants`), and the needs its grants are compared with (:mod:`.needs`)."""
