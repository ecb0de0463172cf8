"""Teaching: lessons read from resources, the facts they quote from a run, and plain-words explanations of verdicts."""
