package lclock

// Text forms. They are what travels in headers and log lines, so they are
// parsed by hand: strict (digits only, no sign, no space, bounded length),
// without allocation, and without strconv's *NumError on bad input, which
// would allocate for every garbage header a peer sends.

const (
	maxLamportDigits = 20 // len("18446744073709551615")
	maxMillisDigits  = 15 // len("281474976710655"), MaxHLCMillis
	logicalDigits    = 5  // len("65535")
)

// AppendLamport appends the text form of a Lamport stamp to b: its decimal
// value, such as "42".
func AppendLamport(b []byte, s Stamp) []byte {
	return appendUint(b, uint64(s), 0)
}

// ParseLamport parses the text form of a Lamport stamp: 1 to 20 decimal
// digits, at most 18446744073709551615. Anything else, including a sign,
// a space or an HLC stamp, is [ErrMalformed].
func ParseLamport(text string) (Stamp, error) {
	v, ok := parseDigits(text, maxLamportDigits)
	if !ok {
		return 0, ErrMalformed
	}
	return Stamp(v), nil
}

// AppendHLC appends the text form of an HLC stamp to b: its wall part in
// milliseconds since the Unix epoch, a dot, and its logical counter padded
// to five digits, such as "1764190881123.00007". Stamps with wall parts of
// the same number of digits (every date from 2001 to 2286) sort as
// strings in the same order as they do as numbers.
func AppendHLC(b []byte, s Stamp) []byte {
	b = appendUint(b, uint64(s>>logicalBits), 0)
	b = append(b, '.')
	return appendUint(b, uint64(s&logicalMask), logicalDigits)
}

// ParseHLC parses the text form of an HLC stamp: 1 to 15 digits of
// milliseconds (at most [MaxHLCMillis]), a dot, and 1 to 5 digits of
// logical counter (at most 65535). Anything else, including a Lamport
// stamp, is [ErrMalformed].
func ParseHLC(text string) (Stamp, error) {
	dot := -1
	for i := 0; i < len(text) && i <= maxMillisDigits; i++ {
		if text[i] == '.' {
			dot = i
			break
		}
	}
	if dot < 0 {
		return 0, ErrMalformed
	}
	ms, ok := parseDigits(text[:dot], maxMillisDigits)
	if !ok || ms > MaxHLCMillis {
		return 0, ErrMalformed
	}
	c, ok := parseDigits(text[dot+1:], logicalDigits)
	if !ok || c > logicalMask {
		return 0, ErrMalformed
	}
	return Stamp(ms<<logicalBits | c), nil
}

// parseDigits parses 1 to maxDigits decimal digits into a uint64, and
// reports false on anything else or on overflow.
func parseDigits(s string, maxDigits int) (uint64, bool) {
	if len(s) == 0 || len(s) > maxDigits {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		if v > (1<<64-1-uint64(d))/10 {
			return 0, false // overflow
		}
		v = v*10 + uint64(d)
	}
	return v, true
}

// appendUint appends v in decimal, left-padded with zeros to width digits.
func appendUint(b []byte, v uint64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	for n := len(buf) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, buf[i:]...)
}
