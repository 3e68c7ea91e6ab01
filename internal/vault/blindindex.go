package vault

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
)

// IndexHashSize is the length in bytes of a blind-index hash.
//
// Why 128 bits. A blind index only needs to tell values apart. With N
// distinct values indexed under one key and purpose, the chance that any
// two share a hash is at most N²/2¹²⁹: about 2⁻⁶⁹ for N = 10⁹, so a
// collision is not expected in any real installation; if one happened, a
// lookup would return an extra candidate row, which callers filter out by
// opening the sealed value and comparing it.
//
// What truncation does not do. Without the blind-index key, each hash is
// indistinguishable from random, truncated or not: someone holding only the
// database learns which rows share a value (equality and frequency) and how
// many entries there are, nothing more, and cannot test a guess. With the
// key, 128 bits are far more than the size of any candidate space (all
// phone numbers are fewer than 2⁵⁰), so every guess is confirmed or refuted
// exactly. Truncation would only hide values if the hash were short enough
// for many candidates to share each output, which would also make lookups
// return many false matches; at 128 bits it gives no such protection. The
// protection is the key, kept under the root key like the KEK.
const IndexHashSize = 16

// indexDomain starts the PRF input of every blind-index hash.
const indexDomain = "confide/blind-index/v1"

// IndexHash is a blind-index hash and the id of the blind-index key that
// produced it.
type IndexHash struct {
	KeyID uint32
	Sum   []byte
}

func indexKeyTemplate() *tinkpb.KeyTemplate { return prf.HMACSHA256PRFKeyTemplate() }

// indexSet is one installed version of the blind-index keyset.
type indexSet struct {
	stored []byte     // as stored, for change detection
	prfs   []keyedPRF // primary first, then the other enabled keys by id
}

type keyedPRF struct {
	id  uint32
	prf prf.PRF
}

func (v *Vault) installIndex(stored []byte, h *keyset.Handle) error {
	set, err := prf.NewPRFSet(h)
	if err != nil {
		return fmt.Errorf("vault: system keyset %q is not a PRF keyset: %w", indexKeysetName, err)
	}
	primary, ok := set.PRFs[set.PrimaryID]
	if !ok {
		return fmt.Errorf("vault: system keyset %q has no enabled primary key", indexKeysetName)
	}
	s := &indexSet{stored: stored, prfs: []keyedPRF{{id: set.PrimaryID, prf: primary}}}
	for id, p := range set.PRFs {
		if id != set.PrimaryID {
			s.prfs = append(s.prfs, keyedPRF{id: id, prf: p})
		}
	}
	slices.SortFunc(s.prfs[1:], func(a, b keyedPRF) int { return cmp.Compare(a.id, b.id) })
	v.index.Store(s)
	return nil
}

// IndexHashes returns the blind-index hashes of a normalized value (for
// example a phone number in E.164 or a case-folded email address) for a
// purpose ("phone", "email"): HMAC-SHA256 over indexDomain ||
// uvarint(len(purpose)) || purpose || normalized, truncated to
// IndexHashSize bytes. Different purposes give unrelated hashes for the same
// value. The hash under the primary key comes first, to be stored; the
// hashes under the other enabled keys follow, so that lookups still find
// rows indexed before a rotation of the blind-index key.
func (v *Vault) IndexHashes(purpose string, normalized []byte) ([]IndexHash, error) {
	in := make([]byte, 0, len(indexDomain)+binary.MaxVarintLen64+len(purpose)+len(normalized))
	in = append(in, indexDomain...)
	in = binary.AppendUvarint(in, uint64(len(purpose)))
	in = append(in, purpose...)
	in = append(in, normalized...)
	set := v.index.Load()
	out := make([]IndexHash, 0, len(set.prfs))
	for _, p := range set.prfs {
		sum, err := p.prf.ComputePRF(in, IndexHashSize)
		if err != nil {
			return nil, fmt.Errorf("vault: blind index: %w", err)
		}
		out = append(out, IndexHash{KeyID: p.id, Sum: sum})
	}
	return out, nil
}

// RotateIndexKey adds a new HMAC-SHA256 key to the blind-index keyset and
// makes it the primary; older keys stay enabled, so IndexHashes keeps
// returning their hashes for lookups until every row has been re-indexed.
func (v *Vault) RotateIndexKey(ctx context.Context) (newPrimary uint32, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	stored, h, id, err := v.rotate(ctx, indexKeysetName, indexKeyTemplate())
	if err != nil {
		return 0, err
	}
	return id, v.installIndex(stored, h)
}
