package watch

import "syscall"

// Filesystem magic numbers (statfs f_type) of network and FUSE mounts, whose
// changes made on other machines inotify never reports.
var networkFS = map[int64]string{
	0x6969:     "NFS",
	0xFF534D42: "CIFS/SMB",
	0xFE534D42: "SMB2",
	0x517B:     "SMB",
	0x65735546: "FUSE",
	0x01021997: "9P",
}

// networkMount describes why live watching cannot be trusted for root, or
// returns "" for a local file system.
func networkMount(root string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(root, &st); err != nil {
		return ""
	}
	if name, ok := networkFS[int64(st.Type)]; ok {
		return "originals are on a " + name + " network mount, where changes made elsewhere are not reported; rescanning periodically instead"
	}
	return ""
}
