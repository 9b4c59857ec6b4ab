"""Indexing: chunking the parsed paper, embedding it, and the on-disk index with its manifest."""
