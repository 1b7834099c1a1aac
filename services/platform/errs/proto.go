package errs

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
)

type protoadaptMessage = proto.Message

func toV1(ms []proto.Message) []protoadapt.MessageV1 {
	out := make([]protoadapt.MessageV1, len(ms))
	for i, m := range ms {
		out[i] = protoadapt.MessageV1Of(m)
	}
	return out
}

func durationSeconds(s int64) *durationpb.Duration { return &durationpb.Duration{Seconds: s} }
