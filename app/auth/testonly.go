//go:build synthetic

package auth

// PasswordChecks is how many passwords this process has verified. Tests
// of other packages count the slow hashes a storm of guesses reached with
// it; like everything built only with the synthetic tag (which every test
// build has), the binary people run does not carry it.
func PasswordChecks() int64 { return passwordChecks.Load() }
