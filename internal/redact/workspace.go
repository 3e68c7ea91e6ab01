package redact

// workspace holds the buffers one redaction works in: the document, its
// tokens, the analyzer with its detections and scratch, and the pieces and
// replacements of rendering. A Redactor keeps released workspaces in a pool,
// so that redacting many short texts, one call each, does not allocate them
// again for every call.
//
// Nothing a workspace holds may outlive the call that took it: results are
// copied or freshly allocated before the workspace is released.
type workspace struct {
	doc    doc
	seg    [1]segment // the single segment of a plain text
	out    [1]string  // the rendered text of a plain text
	toks   []token
	a      analyzer
	pieces []piece
	repls  []string
}

// piece is one part of a detection as rendered: entities split across turns
// have several, and only the first carries the detection's value.
type piece struct {
	part  rng
	index int // in the detections
	first bool
}

// maxPooledTokens and maxPooledDetections bound the buffers a released
// workspace keeps, so that one huge document does not pin its buffers.
const (
	maxPooledTokens     = 1 << 20
	maxPooledDetections = 1 << 16
)

// workspace returns a workspace from the pool, or a new one.
func (r *Redactor) workspace() *workspace {
	if w, ok := r.pool.Get().(*workspace); ok {
		return w
	}
	return new(workspace)
}

// textDoc sets up w's document as the single text.
func (w *workspace) textDoc(text string) *doc {
	w.seg[0] = segment{0, len(text), ""}
	w.doc = doc{text: text, segs: w.seg[:]}
	return &w.doc
}

// release clears what w holds of the last document (texts, values, digits)
// and returns it to r's pool, or drops it when its buffers grew too large.
func (r *Redactor) release(w *workspace) {
	if cap(w.toks) > maxPooledTokens || cap(w.a.dets) > maxPooledDetections {
		return
	}
	clear(w.a.dets)
	clear(w.a.digits[:cap(w.a.digits)])
	clear(w.a.scratch[:cap(w.a.scratch)])
	clear(w.repls)
	w.out[0] = ""
	w.doc = doc{}
	w.a = analyzer{dets: w.a.dets[:0], parts: w.a.parts[:0], digits: w.a.digits[:0], groups: w.a.groups[:0],
		scratch: w.a.scratch[:0]}
	w.pieces, w.repls = w.pieces[:0], w.repls[:0]
	r.pool.Put(w)
}
