package redact

var benchTokens []token

// CountTokens tokenizes text in 64 KiB pieces, reusing one buffer as
// RedactStream does, and returns the number of tokens, for
// BenchmarkTokenize.
func CountTokens(text string) int {
	n := 0
	for len(text) > 0 {
		piece := text[:min(len(text), streamChunk)]
		text = text[len(piece):]
		benchTokens = tokenize(benchTokens[:0], piece, 0, len(piece), 0)
		n += len(benchTokens)
	}
	return n
}
