"""The only places where the book's extensions reach into other libraries' internals
(issue 16): one module per library, each saying why no public API does the job, each
checked against the installed version by tests/test_adapters.py."""
