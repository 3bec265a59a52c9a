package tokenizer

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// spPieceType is ModelProto.SentencePiece.Type.
type spPieceType int

// The piece types of sentencepiece_model.proto.
const (
	spNormal      spPieceType = 1
	spUnknown     spPieceType = 2
	spControl     spPieceType = 3
	spUserDefined spPieceType = 4
	spUnused      spPieceType = 5
	spByte        spPieceType = 6
)

// spModelType is TrainerSpec.ModelType.
type spModelType int

// The model types of sentencepiece_model.proto that zsic supports.
const (
	spUnigram spModelType = 1
	spBPE     spModelType = 2
)

// spPiece is one entry of the vocabulary.
type spPiece struct {
	text  string
	score float32
	typ   spPieceType
}

// spProto holds the fields of a SentencePiece ModelProto that encoding needs.
type spProto struct {
	pieces                 []spPiece
	modelType              spModelType
	byteFallback           bool
	treatWhitespaceSuffix  bool
	charsmap               []byte
	addDummyPrefix         bool
	removeExtraWhitespaces bool
	escapeWhitespaces      bool
}

// parseSPProto decodes the wire format of a ModelProto (spiece.model).
func parseSPProto(data []byte) (*spProto, error) {
	p := &spProto{modelType: spUnigram, addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true}
	err := spFields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			piece, err := parseSPPiece(v)
			if err != nil {
				return fmt.Errorf("piece %d: %w", len(p.pieces), err)
			}
			p.pieces = append(p.pieces, piece)
		case num == 2 && typ == protowire.BytesType:
			return spFields(v, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) error {
				if typ != protowire.VarintType {
					return nil
				}
				switch num {
				case 3:
					p.modelType = spModelType(x)
				case 24:
					p.treatWhitespaceSuffix = x != 0
				case 35:
					p.byteFallback = x != 0
				}
				return nil
			})
		case num == 3 && typ == protowire.BytesType:
			return spFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				switch {
				case num == 2 && typ == protowire.BytesType:
					p.charsmap = v
				case num == 3 && typ == protowire.VarintType:
					p.addDummyPrefix = x != 0
				case num == 4 && typ == protowire.VarintType:
					p.removeExtraWhitespaces = x != 0
				case num == 5 && typ == protowire.VarintType:
					p.escapeWhitespaces = x != 0
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(p.pieces) == 0 {
		return nil, fmt.Errorf("model has no pieces (is it a SentencePiece ModelProto?)")
	}
	return p, nil
}

// parseSPPiece decodes one ModelProto.SentencePiece message.
func parseSPPiece(data []byte) (spPiece, error) {
	piece := spPiece{typ: spNormal}
	err := spFields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			piece.text = string(v)
		case num == 2 && typ == protowire.Fixed32Type:
			piece.score = math.Float32frombits(uint32(x))
		case num == 3 && typ == protowire.VarintType:
			piece.typ = spPieceType(x)
		}
		return nil
	})
	return piece, err
}

// spFields calls fn for every field of a protobuf message: v holds the bytes
// of a length-delimited field, x the value of a varint or fixed field.
func spFields(data []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return fmt.Errorf("bad protobuf tag: %w", protowire.ParseError(n))
		}
		data = data[n:]
		var (
			v []byte
			x uint64
		)
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(data)
		case protowire.Fixed32Type:
			var x32 uint32
			x32, n = protowire.ConsumeFixed32(data)
			x = uint64(x32)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(data)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(data)
		default:
			n = protowire.ConsumeFieldValue(num, typ, data)
		}
		if n < 0 {
			return fmt.Errorf("bad protobuf field %d: %w", num, protowire.ParseError(n))
		}
		data = data[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}
