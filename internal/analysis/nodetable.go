package analysis

// nodeTable maps a slice of the document (its offset and length packed in a
// uint64) to its memo node. An analysis after a keystroke looks up about
// 9,000 slices, most of them found; Go's map spent ~30 ns on each (hashing
// and probing), a third of the memo's cost. This table, open addressing
// with linear probing and a multiplicative hash, finds one in a few.
type nodeTable struct {
	// keys holds key+1, so that 0 marks an empty slot and the key of an
	// empty slice at offset 0 can still be stored.
	keys []uint64
	vals []*memoNode
	n    int
	bits uint
}

const minTableBits = 8

func newNodeTable(hint int) *nodeTable {
	bits := uint(minTableBits)
	for 1<<bits < hint*2 {
		bits++
	}
	return &nodeTable{keys: make([]uint64, 1<<bits), vals: make([]*memoNode, 1<<bits), bits: bits}
}

func (t *nodeTable) slot(k uint64) int {
	return int((k * 0x9E3779B97F4A7C15) >> (64 - t.bits))
}

// get returns the node stored for k.
func (t *nodeTable) get(k uint64) (*memoNode, bool) {
	if t == nil {
		return nil, false
	}
	k++
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return t.vals[i], true
		case 0:
			return nil, false
		}
	}
}

// put stores v for k, replacing what was stored.
func (t *nodeTable) put(k uint64, v *memoNode) {
	if (t.n+1)*2 > len(t.keys) {
		t.grow()
	}
	k++
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			t.vals[i] = v
			return
		case 0:
			t.keys[i], t.vals[i] = k, v
			t.n++
			return
		}
	}
}

func (t *nodeTable) grow() {
	old := *t
	t.bits++
	t.keys = make([]uint64, 1<<t.bits)
	t.vals = make([]*memoNode, 1<<t.bits)
	t.n = 0
	for i, k := range old.keys {
		if k != 0 {
			t.put(k-1, old.vals[i])
		}
	}
}

// len returns how many keys are stored.
func (t *nodeTable) len() int {
	if t == nil {
		return 0
	}
	return t.n
}

// each calls fn for every stored key and node.
func (t *nodeTable) each(fn func(k uint64, v *memoNode)) {
	if t == nil {
		return
	}
	for i, k := range t.keys {
		if k != 0 {
			fn(k-1, t.vals[i])
		}
	}
}

// reset empties the table, keeping its storage.
func (t *nodeTable) reset() {
	clear(t.keys)
	clear(t.vals)
	t.n = 0
}
