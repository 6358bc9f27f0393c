// Package testkit is what every package's tests share: media made at test
// time and one HTTP client for a server under test.
//
//   - Pictures: Picture (photo-like, so it compresses and resizes like a
//     photograph) and Noise (does not compress).
//   - Files: JPEG with a chosen size, EXIF (time and offset, camera,
//     position, orientation; written by app/demo's EXIF writer) and XMP
//     (title, keywords, rating); PNG; HEIC and MP4/MOV as minimal ISO-BMFF
//     boxes (Box, FullBox, Movie, Track, HEICWithJPEG, MP4); CJPEG and
//     ProgressiveFile for what only libjpeg writes; Clip, a
//     playable video encoded by ffmpeg.
//   - Hostile files (Hostile): small files whose headers declare decodes
//     of gigabytes, thousands of frames or hundreds of scans.
//   - Client: logs in, sends JSON with the session's CSRF header or a
//     bearer token, checks statuses with the answer's body in the message.
//
// Only tests and test or benchmark tools import it; the binary people run
// does not link it (app/binary_test.go checks the built binary's symbols).
package testkit
