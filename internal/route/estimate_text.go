package route

// TextTokens counts the tokens of s, text a model wrote, with the same
// tokenizer as InputTokens. It skips the memo: a reply's text does not
// come back the way a prompt's system text and earlier turns do, and
// would only age the strings that do.
func (e *Estimator) TextTokens(s string) int { return e.countBPE(s) }
