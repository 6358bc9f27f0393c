//go:build !linux

package watch

func networkMount(string) string { return "" }
