package meta

import "encoding/json"

// infoGoNames holds the fields whose names in blobs stored before Info had
// JSON names (reader version 0: {"MIME":…,"HasOffset":…}) differ from
// today's by more than letter case. Fields like "MIME" or "Taken" need
// nothing: encoding/json matches "mime" and "taken" to them regardless of
// case.
type infoGoNames struct {
	HasOffset          bool       `json:"HasOffset"`
	TakenSource        TimeSource `json:"TakenSource"`
	ExposureTime       float64    `json:"ExposureTime"`
	FNumber            float64    `json:"FNumber"`
	FocalLength        float64    `json:"FocalLength"`
	HasGPS             bool       `json:"HasGPS"`
	HasAlt             bool       `json:"HasAlt"`
	HasOrientation     bool       `json:"HasOrientation"`
	DateTimeOriginal   string     `json:"DateTimeOriginal"`
	OffsetTimeOriginal string     `json:"OffsetTimeOriginal"`
}

// UnmarshalJSON reads a stored Info in either form: today's snake_case
// names, or the Go field names of blobs written before them, so databases
// of older versions keep their metadata until their files are read again.
// The decoder prefers an exact name, so "HasOffset" lands in the old-name
// field and "has_offset" in Info's own.
func (i *Info) UnmarshalJSON(b []byte) error {
	type plain Info // Info without this method
	v := struct {
		*plain
		infoGoNames
	}{plain: (*plain)(i)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	old := v.infoGoNames
	i.HasOffset = i.HasOffset || old.HasOffset
	i.HasGPS = i.HasGPS || old.HasGPS
	i.HasAlt = i.HasAlt || old.HasAlt
	i.HasOrientation = i.HasOrientation || old.HasOrientation
	if i.TakenSource == "" {
		i.TakenSource = old.TakenSource
	}
	if i.ExposureTime == 0 {
		i.ExposureTime = old.ExposureTime
	}
	if i.FNumber == 0 {
		i.FNumber = old.FNumber
	}
	if i.FocalLength == 0 {
		i.FocalLength = old.FocalLength
	}
	if i.DateTimeOriginal == "" {
		i.DateTimeOriginal = old.DateTimeOriginal
	}
	if i.OffsetTimeOriginal == "" {
		i.OffsetTimeOriginal = old.OffsetTimeOriginal
	}
	return nil
}
