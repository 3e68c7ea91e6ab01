package audio

// G.711 encoders and decoders (ITU-T G.711), used to synthesize the tone and
// by tests to read samples back.

// EncodeMuLaw encodes a linear 16-bit sample as µ-law.
func EncodeMuLaw(s int16) byte {
	const bias, clip = 0x84, 32635
	v := int(s)
	sign := 0
	if v < 0 {
		v, sign = -v, 0x80
	}
	v = min(v, clip) + bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

// DecodeMuLaw decodes a µ-law byte to a linear 16-bit sample.
func DecodeMuLaw(u byte) int16 {
	u = ^u
	t := (int(u&0x0F)<<3 + 0x84) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// EncodeALaw encodes a linear 16-bit sample as A-law.
func EncodeALaw(s int16) byte {
	v := int(s) >> 3 // 13-bit
	mask := 0xD5
	if v < 0 {
		v, mask = -v-1, 0x55
	}
	seg := 0
	for end := 0x1F; v > end && seg < 8; end = end<<1 | 1 {
		seg++
	}
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	var a int
	if seg < 2 {
		a = v >> 1 & 0x0F
	} else {
		a = v >> seg & 0x0F
	}
	return byte((seg<<4 | a) ^ mask)
}

// DecodeALaw decodes an A-law byte to a linear 16-bit sample.
func DecodeALaw(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0F) << 4
	seg := int(a&0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t = (t + 0x108) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}
