package imageproc

import (
	"image"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	clipMean32, clipStd32 := toFloat32(clipMean), toFloat32(clipStd)
	half := [3]float32{0.5, 0.5, 0.5}
	tests := []struct {
		name, json, model string
		want              Config
	}{
		{"clip defaults", `{}`, "clip", Config{ModelType: "clip", DoResize: true, ShortestEdge: 224, Resample: Bicubic,
			DoCenterCrop: true, CropHeight: 224, CropWidth: 224, DoRescale: true, RescaleFactor: 1.0 / 255,
			DoNormalize: true, Mean: clipMean32, Std: clipStd32, DoConvertRGB: true}},
		{"clip int size is shortest edge", `{"size": 336, "crop_size": 320}`, "clip", Config{ModelType: "clip", DoResize: true,
			ShortestEdge: 336, Resample: Bicubic, DoCenterCrop: true, CropHeight: 320, CropWidth: 320, DoRescale: true,
			RescaleFactor: 1.0 / 255, DoNormalize: true, Mean: clipMean32, Std: clipStd32, DoConvertRGB: true}},
		{"clip dict forms", `{"size": {"height": 20, "width": 30}, "crop_size": {"height": 10, "width": 12},
			"resample": 2, "image_mean": 0.25, "image_std": [1, 2, 4], "do_rescale": false, "rescale_factor": 0.5}`, "clip",
			Config{ModelType: "clip", DoResize: true, Height: 20, Width: 30, Resample: Bilinear, DoCenterCrop: true,
				CropHeight: 10, CropWidth: 12, RescaleFactor: 0.5, DoNormalize: true,
				Mean: [3]float32{0.25, 0.25, 0.25}, Std: [3]float32{1, 2, 4}, DoConvertRGB: true}},
		{"siglip defaults", `{}`, "siglip", Config{ModelType: "siglip", DoResize: true, Height: 224, Width: 224,
			Resample: Bicubic, DoRescale: true, RescaleFactor: 1.0 / 255, DoNormalize: true, Mean: half, Std: half, DoConvertRGB: true}},
		{"siglip int size is square", `{"size": 384}`, "siglip", Config{ModelType: "siglip", DoResize: true, Height: 384,
			Width: 384, Resample: Bicubic, DoRescale: true, RescaleFactor: 1.0 / 255, DoNormalize: true, Mean: half, Std: half,
			DoConvertRGB: true}},
		{"siglip2 defaults to bilinear", `{"size": {"height": 256, "width": 256}}`, "siglip2", Config{ModelType: "siglip2",
			DoResize: true, Height: 256, Width: 256, Resample: Bilinear, DoRescale: true, RescaleFactor: 1.0 / 255,
			DoNormalize: true, Mean: half, Std: half, DoConvertRGB: true}},
		{"model type inferred", `{"image_processor_type": "SiglipImageProcessor", "size": [30, 40], "do_convert_rgb": null}`, "",
			Config{ModelType: "siglip", DoResize: true, Height: 30, Width: 40, Resample: Bicubic, DoRescale: true,
				RescaleFactor: 1.0 / 255, DoNormalize: true, Mean: half, Std: half, DoConvertRGB: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tt.json), tt.model)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ name, json, model, want string }{
		{"bad json", `{"size": `, "clip", "parse preprocessor config"},
		{"unknown model", `{}`, "vit", `model type "vit"`},
		{"bad resample", `{"resample": 7}`, "clip", "resample 7"},
		{"negative size", `{"size": -3}`, "clip", "size -3"},
		{"size object without keys", `{"size": {"longest_edge": 3}}`, "clip", "shortest_edge"},
		{"siglip shortest edge", `{"size": {"shortest_edge": 224}}`, "siglip", "not shortest_edge"},
		{"crop shortest edge", `{"crop_size": {"shortest_edge": 224}}`, "clip", "crop_size"},
		{"mean of 2", `{"image_mean": [0.1, 0.2]}`, "clip", "image_mean"},
		{"zero std", `{"image_std": 0}`, "siglip", "std nonzero"},
		{"huge shortest edge", `{"size": {"shortest_edge": 100000}}`, "clip", "size shortest_edge 100000: want at most 4096"},
		{"huge crop", `{"do_resize": false, "crop_size": 40000}`, "clip", "crop_size height 40000: want at most 4096"},
		{"size 2^63-1", `{"size": 9223372036854775807}`, "siglip", "size height 9223372036854775807: want at most 4096"},
		{"crop 2^63-1 wide", `{"crop_size": {"height": 3, "width": 9223372036854775807}}`, "clip", "crop_size width 9223372036854775807: want at most 4096"},
		{"rescale to Inf", `{"rescale_factor": 1e300}`, "clip", "pixel value 1 of channel 0 becomes +Inf"},
		{"tiny std", `{"image_std": [1e-44, 0.5, 0.5]}`, "siglip", "pixel value 0 of channel 0 becomes -Inf"},
		{"huge mean", `{"image_mean": 1e39}`, "siglip", "becomes -Inf"},
		{"naflex", `{"image_processor_type": "Siglip2ImageProcessor", "max_num_patches": 256}`, "", "NaFlex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.json), tt.model)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestLoadConfigMissing(t *testing.T) {
	_, err := LoadConfig("no/such/preprocessor_config.json", "clip")
	require.ErrorContains(t, err, "no/such/preprocessor_config.json")
}

func TestOutputSize(t *testing.T) {
	tests := []struct {
		name           string
		json, model    string
		imgW, imgH     int
		fixedH, fixedW int
		forH, forW     int
	}{
		{"clip crop", `{"size": 224, "crop_size": 200}`, "clip", 640, 480, 200, 200, 200, 200},
		{"clip no crop", `{"size": 224, "do_center_crop": false}`, "clip", 640, 480, 0, 0, 224, 298},
		{"clip no crop portrait", `{"size": 224, "do_center_crop": false}`, "clip", 480, 640, 0, 0, 298, 224},
		{"siglip", `{"size": {"height": 48, "width": 64}}`, "siglip", 7, 9, 48, 64, 48, 64},
		{"no resize no crop", `{"do_resize": false}`, "siglip", 7, 9, 0, 0, 9, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig([]byte(tt.json), tt.model)
			require.NoError(t, err)
			h, w := c.OutputSize()
			require.Equal(t, [2]int{tt.fixedH, tt.fixedW}, [2]int{h, w})
			h, w = c.OutputSizeFor(image.Pt(tt.imgW, tt.imgH))
			require.Equal(t, [2]int{tt.forH, tt.forW}, [2]int{h, w})
		})
	}
}
