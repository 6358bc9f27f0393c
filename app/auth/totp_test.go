package auth

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// Codes are accepted for the current 30-second step and one either side
// (a phone's clock a little off), never two steps away.
func TestMatchTOTPWindow(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Unix(1_700_000_015, 0) // 15 s into step 56666667
	cur := now.Unix() / totpPeriod
	for off, want := range map[int64]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		c, err := totp.GenerateCodeCustom(secret, time.Unix((cur+off)*totpPeriod, 0), totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		step, ok := matchTOTP(secret, c, now)
		if ok != want || ok && step != cur+off {
			t.Errorf("code of step %+d: matched %v at step %d, want %v", off, ok, step-cur, want)
		}
	}
	if _, ok := matchTOTP(secret, "12345", now); ok {
		t.Error("a five-digit code matched")
	}
}

// Codes may be typed as shown or as read from paper.
func TestCodeForms(t *testing.T) {
	shown, hashes := newRecoveryCodes()
	if len(shown) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("%d codes, %d hashes", len(shown), len(hashes))
	}
	for i, c := range shown {
		if HashToken(asRecoveryCode(normalizeCode(c))) != hashes[i] {
			t.Errorf("code %q does not match its hash", c)
		}
	}
	for in, want := range map[string]string{
		"ABCD-EFGH-IJKL-MNOP":  "abcdefghijklmnop",
		"abcd efgh ijkl mnop":  "abcdefghijklmnop",
		"abcd-efgh-ijk1-mn0p":  "abcdefghijklmnop", // 1 for l, 0 for o
		"a8cd-efgh-ijkl-mnop":  "abcdefghijklmnop", // 8 for b
		"abcd-efgh-ijkl-mno":   "",
		"abcd-efgh-ijkl-mno9":  "", // 9 stands for nothing
		"123456":               "",
		"abcd-efgh-ijkl-mnopq": "",
	} {
		if got := asRecoveryCode(normalizeCode(in)); got != want {
			t.Errorf("%q read as %q, want %q", in, got, want)
		}
	}
	if !isTOTPCode(normalizeCode("123 456")) || isTOTPCode("12345a") || isTOTPCode("1234567") {
		t.Error("six-digit code detection")
	}
}
