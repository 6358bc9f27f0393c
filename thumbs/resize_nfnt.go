//go:build nfntresize

package thumbs

// Built with -tags nfntresize, thumbnails are resized by nfnt/resize as
// before our own resampler: a way back should ours ever misbehave.
func init() { resizer = nfntResize }
