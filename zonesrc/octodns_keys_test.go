package zonesrc

import (
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOctoKeyName: a plain key is named as PyYAML's safe_load and
// Python's str() name it (the expectations are theirs); a quoted one as
// written.
func TestOctoKeyName(t *testing.T) {
	for key, want := range map[string]string{
		"null": "None", "~": "None", "Null": "None", "yes": "True", "No": "False", "on": "True", "OFF": "False",
		"true": "True", "010": "8", "0o10": "0o10", "0x1F": "31", "0b101": "5", "1_000": "1000", "-7": "-7",
		"+7": "7", "1:20": "80", "190:20:30": "685230", "1.10": "1.1", "44.74": "44.74", "1e3": "1e3",
		"1.0e+3": "1000.0", ".5": "0.5", "1.": "1.0", ".inf": "inf", "-.Inf": "-inf", ".NaN": "nan",
		"6.8523015e+5": "685230.15", "1e+20": "1e+20", "12345678901234567.0": "1.2345678901234568e+16",
		"0.00001": "1e-05", "2020-summer": "2020-summer", "3am": "3am", "67": "67", "0": "0", "00": "0",
		"09": "09", "1:60": "1:60", "www": "www", "'010'": "010", `"yes"`: "yes", "!!str on": "on",
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(key+": x\n"), &doc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		k := doc.Content[0].Content[0]
		got, changed := octoKeyName(k)
		if got != want || changed != (want != k.Value) {
			t.Errorf("%s: %q (changed %v), want %q", key, got, changed, want)
		}
	}
}

// TestPyTruthy: octoDNS tests its settings (lenient, ignored, proxied,
// escaped_semicolons) as Python does, on what PyYAML's YAML 1.1 reads.
func TestPyTruthy(t *testing.T) {
	for src, want := range map[string]bool{
		"true": true, "True": true, "yes": true, "on": true, "ON": true, "1": true, "x": true, "'false'": true, "[0]": true,
		"false": false, "False": false, "no": false, "off": false, "0": false, "0.0": false, "null": false, "~": false, "''": false, "[]": false,
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("k: "+src+"\n"), &doc); err != nil {
			t.Fatal(err)
		}
		v, _ := field(doc.Content[0], "k")
		if got := pyTruthy(v); got != want {
			t.Errorf("%s: %v, want %v", src, got, want)
		}
	}
}
