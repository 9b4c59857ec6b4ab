"""Answering: turn retrieved evidence into a grounded answer (sentences and cells quoted verbatim,
every number cited), or an honest abstention; resolve follow-ups; detect conflicting figures."""
