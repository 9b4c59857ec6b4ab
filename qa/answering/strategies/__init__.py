"""Answer strategies: each module's ``propose`` turns the gathered evidence into candidate answers
(``span`` and ``yesno`` turn the chosen answer into a short answer); ``qa/answering/arbiter.py``
picks between them."""
