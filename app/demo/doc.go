// Package demo generates a library of synthetic but realistic photos: JPEGs
// whose pictures look like landscapes and cities and compress like real
// photos, with EXIF dates, cameras, lenses and GPS positions spread over
// years and countries, in the folder layout people really have.
//
// Pinhole indexes such a library on a first start with no photo folder
// configured, and benchmarks use it to build large libraries of full-size
// files once. The EXIF and XMP writers are small and standard-conforming
// (exiftool -validate finds nothing to report), so readers can be tested
// against them.
package demo
