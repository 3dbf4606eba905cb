package tenantgen

import (
	"time"
	"unsafe"
)

// rng is a splitmix64 generator: tiny, fast, and defined here, so that a seed gives the
// same tenant on every Go version.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); n must be positive. The modulo bias is irrelevant
// for test data.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return float64(r.next()>>11)/(1<<53) < p }

// arena hands out strings carved from large byte chunks. A tenant of a million links
// holds tens of millions of identifiers; one allocation per chunk instead of one per
// string keeps generation fast. Bytes are never written again once committed, which is
// what makes the unsafe.String views sound.
type arena struct{ buf []byte }

const arenaChunk = 256 << 10

// reserve returns an empty slice with room for n bytes at the end of the arena.
func (a *arena) reserve(n int) []byte {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(n, arenaChunk))
	}
	return a.buf[len(a.buf):len(a.buf)]
}

// commit turns b, filled from reserve without outgrowing it, into a string.
func (a *arena) commit(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(a.buf)-len(a.buf) || unsafe.SliceData(b) != unsafe.SliceData(a.buf[len(a.buf):]) {
		panic("tenantgen: arena slice outgrew its reservation")
	}
	a.buf = a.buf[:len(a.buf)+len(b)]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// join concatenates parts into one arena string.
func (a *arena) join(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := a.reserve(n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return a.commit(b)
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(uint(i)*4))&0xf])
	}
	return b
}

// appendGUID appends a random version-4 GUID in Dataverse's lower-case form.
func appendGUID(b []byte, r *rng) []byte {
	hi, lo := r.next(), r.next()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	b = appendHex(b, hi>>32, 8)
	b = append(b, '-')
	b = appendHex(b, hi>>16, 4)
	b = append(b, '-')
	b = appendHex(b, hi, 4)
	b = append(b, '-')
	b = appendHex(b, lo>>48, 4)
	b = append(b, '-')
	return appendHex(b, lo, 12)
}

func (a *arena) guid(r *rng) string { return a.commit(appendGUID(a.reserve(36), r)) }

// hex returns n random lower-case hex digits.
func (a *arena) hex(r *rng, n int) string {
	b := a.reserve(n)
	for n > 0 {
		d := min(n, 16)
		b = appendHex(b, r.next(), d)
		n -= d
	}
	return a.commit(b)
}

const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// opaque returns n random base64url characters: the shape of Graph's grant,
// assignment and membership ids, which are opaque to every client.
func (a *arena) opaque(r *rng, n int) string {
	b := a.reserve(n)
	var v uint64
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			v = r.next()
		}
		b = append(b, base64URL[v&63])
		v >>= 6
	}
	return a.commit(b)
}

// timestamp formats a Unix time as Dataverse and Graph do: 2026-01-02T03:04:05Z.
func (a *arena) timestamp(unix int64) string {
	t := time.Unix(unix, 0).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b := a.reserve(20)
	b = appendDec(b, y, 4)
	b = append(b, '-')
	b = appendDec(b, int(mo), 2)
	b = append(b, '-')
	b = appendDec(b, d, 2)
	b = append(b, 'T')
	b = appendDec(b, h, 2)
	b = append(b, ':')
	b = appendDec(b, mi, 2)
	b = append(b, ':')
	b = appendDec(b, s, 2)
	b = append(b, 'Z')
	return a.commit(b)
}

func appendDec(b []byte, v, digits int) []byte {
	var tmp [20]byte
	for i := digits - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:digits]...)
}

// decimal formats a non-negative number.
func (a *arena) decimal(v int) string {
	digits := 1
	for x := v; x >= 10; x /= 10 {
		digits++
	}
	return a.commit(appendDec(a.reserve(digits), v, digits))
}

// slab hands out pointers into shared backing arrays: rows hold many optional values
// (*int, *bool), and one allocation per thousand of them instead of one each matters
// at a million rows.
type slab[T any] struct{ buf []T }

func (s *slab[T]) ptr(v T) *T {
	if len(s.buf) == cap(s.buf) {
		s.buf = make([]T, 0, 4096)
	}
	s.buf = append(s.buf, v)
	return &s.buf[len(s.buf)-1]
}
