package evidence

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	evidencev1 "github.com/wenming-platform/wenming/api/gen/wenming/evidence/v1"
	"github.com/wenming-platform/wenming/ent"
	"github.com/wenming-platform/wenming/ent/application"
	"github.com/wenming-platform/wenming/ent/campaign"
	"github.com/wenming-platform/wenming/ent/evidencefile"
	"github.com/wenming-platform/wenming/services/platform/audit"
	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/errs"
	"github.com/wenming-platform/wenming/services/platform/filetype"
	"github.com/wenming-platform/wenming/services/platform/mutate"
	"github.com/wenming-platform/wenming/services/platform/pagetoken"
	"github.com/wenming-platform/wenming/services/platform/resource"
	"github.com/wenming-platform/wenming/services/platform/store"
	"github.com/wenming-platform/wenming/services/platform/viewer"
)

// chunkSize is the size of the chunks a download streams.
const chunkSize = 256 << 10

// errFileTooLarge refuses a file over the per-file limit; the gateway answers 413.
func errFileTooLarge(limit int64) error {
	n := strconv.FormatInt(limit, 10)
	return errs.New(codes.ResourceExhausted, "FILE_TOO_LARGE",
		"the file is larger than the "+n+"-byte limit; nothing was stored", "文件超过 "+n+" 字节的上限，未保存")
}

// errApplicationFull refuses a file that would take the application over its total.
func errApplicationFull(limit int64) error {
	n := strconv.FormatInt(limit, 10)
	return errs.New(codes.ResourceExhausted, "APPLICATION_FILES_FULL",
		"the application's files would exceed their "+n+"-byte total; nothing was stored", "本申报的文件总量将超过 "+n+" 字节的上限，未保存")
}

// uploadable checks that the caller may add files to a: a user of its unit, while the
// application is a draft in a campaign that takes evidence, or has items returned to it.
// The campaign is read as the system: the application, which the caller reads, rests on it.
func uploadable(ctx context.Context, db *ent.Client, v *viewer.Viewer, a *ent.Application) error {
	if err := unitMember(v, a); err != nil {
		return err
	}
	switch a.State {
	case application.StateRETURNED:
		return nil
	case application.StateDRAFT:
		c, err := db.Campaign.Get(store.System(ctx), a.CampaignID)
		if err != nil {
			return err
		}
		if c.State != campaign.StateOPEN && c.State != campaign.StateSUBMISSION {
			return errs.New(codes.FailedPrecondition, "CAMPAIGN_NOT_TAKING_EVIDENCE",
				"the campaign is "+string(c.State)+": evidence is taken while it is OPEN or in SUBMISSION",
				"该创建周期处于 "+string(c.State)+" 阶段：仅在开放申报和材料报送阶段接受材料")
		}
		return nil
	}
	return wrongState(a, "add files", "上传文件")
}

// maxFiles bounds the files of one application: hundreds of photos and documents for a
// year of evidence, and a bound on what listing them and looking for copies costs.
const maxFiles = 1000

// declaredSize is the size the client declared for an upload: in the header, or by the
// gateway from Content-Length; 0 when unknown.
func declaredSize(ctx context.Context, h *evidencev1.UploadFileHeader) int64 {
	n := h.GetSize()
	if v := metadata.ValueFromIncomingContext(ctx, resource.UploadSizeKey); len(v) > 0 {
		if m, err := strconv.ParseInt(v[0], 10, 64); err == nil && m > n {
			n = m
		}
	}
	return n
}

// UploadFile stores a streamed file. The bytes go to a temporary blob while they arrive
// (never whole in memory), are checked (size, type sniffed from the bytes), made durable
// and published under their SHA-256, and only then is the file's row committed: a crash
// at any point leaves no row pointing at a missing blob (docs/evidence.md).
func (s *Server) UploadFile(stream evidencev1.EvidenceService_UploadFileServer) (err error) {
	ctx := stream.Context()
	v := viewer.FromContext(ctx)
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	h := first.GetHeader()
	if h == nil {
		return errs.Invalid("header", "the first message of an upload is its header", "上传的第一条消息须为文件头")
	}
	name, err := filetype.SanitizeName(h.GetName())
	if err != nil {
		return errs.Invalid("header.name", "a file name is required: "+err.Error(), "须提供有效的文件名："+err.Error())
	}
	// The caller's right is checked before a byte is stored, and before the gateway reads
	// one: it waits for the header this sends.
	a, err := s.st.Client.Application.Get(ctx, h.GetApplicationId())
	if err != nil {
		return resource.NotFound(err, "application")
	}
	if err := uploadable(ctx, s.st.Client, v, a); err != nil {
		return err
	}
	if declaredSize(ctx, h) > s.limits.FileBytes {
		return errFileTooLarge(s.limits.FileBytes)
	}
	if a.FileBytes+declaredSize(ctx, h) > s.limits.ApplicationBytes {
		return errApplicationFull(s.limits.ApplicationBytes)
	}
	if err := stream.SendHeader(metadata.Pairs(resource.UploadReadyKey, "1")); err != nil {
		return err
	}
	staged, err := s.blobs.Stage(ctx)
	if err != nil {
		return err
	}
	// The temporary goes whatever happens; after a commit it is only a second link.
	defer func() { _ = staged.Discard(context.WithoutCancel(ctx)) }()
	head := make([]byte, 0, filetype.SniffLen)
	// The chunks are written by a goroutine of their own, so the next one arrives while the
	// last is hashed and written: each message is a fresh buffer, never reused by gRPC.
	chunks := make(chan []byte, 4)
	written := make(chan error, 1)
	go func() {
		var werr error
		for c := range chunks {
			if werr == nil {
				_, werr = staged.Write(c)
			}
		}
		written <- werr
	}()
	var text *filetype.TextCheck
	n, err := s.receive(stream, a, chunks, &head, &text)
	close(chunks)
	if werr := <-written; err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.Invalid("content", "the file is empty", "文件为空")
	}
	if h.GetSize() > 0 && h.GetSize() != n {
		return errs.Invalid("header.size", "declared "+strconv.FormatInt(h.GetSize(), 10)+" bytes, received "+strconv.FormatInt(n, 10),
			"声明 "+strconv.FormatInt(h.GetSize(), 10)+" 字节，实际收到 "+strconv.FormatInt(n, 10)+" 字节")
	}
	kind, ok := filetype.Sniff(head)
	if ok && text != nil {
		// Text is what the whole file shows, its encoding included, not only its head.
		kind, ok = text.Kind()
	}
	if !ok {
		return errs.New(codes.InvalidArgument, "FILE_TYPE_REFUSED",
			"the file's content is not of a type evidence may be (images, PDF, office documents, audio and video)",
			"文件内容不属于允许的材料类型（图片、PDF、办公文档、音视频）").WithField("content", "type not allowed", "类型不允许")
	}
	if !filetype.DeclaredMatches(h.GetContentType(), kind) {
		return errs.New(codes.InvalidArgument, "FILE_TYPE_MISMATCH",
			"the file was declared "+h.GetContentType()+" but its content is "+kind.MIME,
			"文件声明为 "+h.GetContentType()+"，但内容为 "+kind.MIME).WithField("header.content_type", "does not match the content", "与文件内容不符")
	}
	// The stored name ends in an extension of what the bytes are.
	stored, err := filetype.SanitizeName(kind.Name(name))
	if err != nil {
		return err
	}
	size, sum, err := staged.Finish(ctx)
	if err != nil {
		return err
	}
	if err := staged.Publish(ctx); err != nil {
		return err
	}
	f, err := mutate.Create(ctx, s.w, mutate.Creation[*ent.Application, *ent.EvidenceFile]{
		Parent:    "application",
		GetParent: getApplication(a.ID),
		Allow:     func(a *ent.Application) error { return uploadable(ctx, s.st.Client, v, a) },
		Save: func(tx *ent.Tx, a *ent.Application) (*ent.EvidenceFile, error) {
			if n, err := tx.EvidenceFile.Query().Where(evidencefile.ApplicationID(a.ID)).Count(ctx); err != nil {
				return nil, err
			} else if n >= maxFiles {
				return nil, errs.New(codes.ResourceExhausted, "APPLICATION_FILES_FULL",
					"the application holds "+strconv.Itoa(maxFiles)+" files, as many as one may; nothing was stored",
					"本申报已有 "+strconv.Itoa(maxFiles)+" 个文件，达到上限，未保存")
			}
			// The running total is a counter of the service's, not a field anyone edits
			// with an etag, so it moves without the version: an upload never makes a
			// unit's concurrent edit of the application stale. The guard keeps two
			// concurrent uploads from passing the total together.
			n, err := tx.Application.Update().Where(application.ID(a.ID), application.FileBytesLTE(s.limits.ApplicationBytes-size)).
				AddFileBytes(size).Save(ctx)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, errApplicationFull(s.limits.ApplicationBytes)
			}
			return tx.EvidenceFile.Create().SetID(resource.NewID()).SetOfficeID(a.OfficeID).SetScopePath(a.ScopePath).
				SetApplicationID(a.ID).SetCampaignID(a.CampaignID).SetUnitID(a.UnitID).SetName(stored).
				SetContentType(kind.MIME).SetSize(size).SetSha256(sum).SetUploadedBy(v.Subject).SetCreateTime(s.now()).Save(ctx)
		},
		Audit: func(a *ent.Application, f *ent.EvidenceFile) (audit.Event, error) {
			return audit.Event{OfficeID: a.OfficeID, ScopePath: a.ScopePath, Action: "file.upload",
				ResourceType: "file", ResourceID: f.ID, After: fileProto(f)}, nil
		},
	})
	if err != nil {
		return err
	}
	// A sweep that ran between the publish and the commit may have taken the blob as
	// unreferenced: publishing again restores it from the temporary.
	if err := staged.Publish(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	return stream.SendAndClose(fileProto(f))
}

// receive reads an upload's chunks to the end of the stream, checking the limits as they
// arrive, keeping the first bytes for sniffing in head and passing every chunk to chunks.
// Once the head shows text, it sets text to a check of everything after the head.
func (s *Server) receive(stream evidencev1.EvidenceService_UploadFileServer, a *ent.Application, chunks chan<- []byte, head *[]byte, text **filetype.TextCheck) (int64, error) {
	var n int64
	for {
		m, err := stream.Recv()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if m.GetHeader() != nil {
			return n, errs.Invalid("header", "an upload has one header, in its first message", "上传只能有一个文件头，且须在第一条消息中")
		}
		chunk := m.GetChunk()
		n += int64(len(chunk))
		if n > s.limits.FileBytes {
			return n, errFileTooLarge(s.limits.FileBytes)
		}
		if a.FileBytes+n > s.limits.ApplicationBytes {
			return n, errApplicationFull(s.limits.ApplicationBytes)
		}
		rest := chunk
		if room := filetype.SniffLen - len(*head); room > 0 {
			*head = append(*head, chunk[:min(room, len(chunk))]...)
			rest = chunk[min(room, len(chunk)):]
			if len(*head) == filetype.SniffLen {
				// A text file is checked to its end, not only in the head Sniff reads.
				if k, ok := filetype.Sniff(*head); ok && k.Ext == "txt" {
					*text = filetype.NewTextCheck(*head)
				}
			}
		}
		if *text != nil {
			(*text).Write(rest)
		}
		chunks <- chunk
	}
}

func fileProto(f *ent.EvidenceFile) *evidencev1.File {
	return &evidencev1.File{
		Id: f.ID, ApplicationId: f.ApplicationID, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
		Sha256: f.Sha256, UploadedBy: f.UploadedBy, CreateTime: timestamppb.New(f.CreateTime),
	}
}

// GetFile returns a file's metadata.
func (s *Server) GetFile(ctx context.Context, req *evidencev1.GetFileRequest) (*evidencev1.File, error) {
	files, err := s.files(ctx, []string{req.GetFileId()})
	if err != nil {
		return nil, err
	}
	f, ok := files[req.GetFileId()]
	if !ok {
		return nil, errs.NotFound("file")
	}
	return f, nil
}

// ListFiles lists an application's files.
func (s *Server) ListFiles(ctx context.Context, req *evidencev1.ListFilesRequest) (*evidencev1.ListFilesResponse, error) {
	db := s.st.Reader(ctx)
	filters := "files|" + req.GetApplicationId()
	after, err := s.pages.Decode(filters, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	if _, err := db.Application.Get(ctx, req.GetApplicationId()); err != nil {
		return nil, resource.NotFound(err, "application")
	}
	size := pagetoken.Size(req.GetPageSize())
	rows, err := db.EvidenceFile.Query().Where(evidencefile.ApplicationID(req.GetApplicationId()), evidencefile.IDGT(after)).
		Order(ent.Asc(evidencefile.FieldID)).Limit(size + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	rows, next := pagetoken.Page(s.pages, filters, rows, size, func(f *ent.EvidenceFile) string { return f.ID })
	ids := make([]string, len(rows))
	for i, f := range rows {
		ids[i] = f.ID
	}
	files, err := s.files(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &evidencev1.ListFilesResponse{Files: pick(files, ids), NextPageToken: next}, nil
}

// DownloadFile streams a file's bytes, or a range of them.
func (s *Server) DownloadFile(req *evidencev1.DownloadFileRequest, stream evidencev1.EvidenceService_DownloadFileServer) error {
	ctx := stream.Context()
	f, err := s.GetFile(ctx, &evidencev1.GetFileRequest{FileId: req.GetFileId()})
	if err != nil {
		return err
	}
	if req.GetOffset() > 0 && req.GetOffset() >= f.GetSize() {
		return errs.New(codes.OutOfRange, "RANGE_NOT_SATISFIABLE",
			"the file has "+strconv.FormatInt(f.GetSize(), 10)+" bytes", "文件共 "+strconv.FormatInt(f.GetSize(), 10)+" 字节")
	}
	r, err := s.blobs.Open(ctx, f.GetSha256(), req.GetOffset(), req.GetLength())
	if errors.Is(err, blob.ErrNotFound) {
		return errs.New(codes.DataLoss, "FILE_CONTENT_MISSING", "the file's content is missing from the blob store", "文件内容在存储中缺失")
	}
	if err != nil {
		return err
	}
	defer r.Close()
	if err := stream.Send(&evidencev1.DownloadFileResponse{Part: &evidencev1.DownloadFileResponse_File{File: f}}); err != nil {
		return err
	}
	buf := make([]byte, chunkSize)
	for {
		k, rerr := io.ReadFull(r, buf)
		if k > 0 {
			if err := stream.Send(&evidencev1.DownloadFileResponse{Part: &evidencev1.DownloadFileResponse_Chunk{Chunk: buf[:k]}}); err != nil {
				return err
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// copyScan bounds the rows read when looking for copies of a page of files: enough to name
// every other application holding them in any real campaign, and a bound on what one unit
// uploading the same bytes many times can make every office read.
const copyScan = 500

// files returns the files of ids the caller can see, by id. To office users each file
// also names the other units' applications holding the same content in the same
// campaign, or in a campaign of the same year below the same office: possible copied
// evidence. The other unit is named only to a caller who may see it.
func (s *Server) files(ctx context.Context, ids []string) (map[string]*evidencev1.File, error) {
	out := map[string]*evidencev1.File{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.st.Client.EvidenceFile.Query().Where(evidencefile.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range rows {
		out[f.ID] = fileProto(f)
	}
	v := viewer.FromContext(ctx)
	if v.UnitID != "" || len(rows) == 0 {
		return out, nil
	}
	// A named system path: copies are looked for across the whole campaign and subtree,
	// whoever may see them; what the caller may not see is shown only as a flag.
	sys := store.System(ctx)
	sums := make([]string, 0, len(rows))
	for _, f := range rows {
		sums = append(sums, f.Sha256)
	}
	others, err := s.st.Client.EvidenceFile.Query().Where(evidencefile.Sha256In(sums...)).Limit(copyScan).All(sys)
	if err != nil {
		return nil, err
	}
	campaignIDs := map[string]bool{}
	for _, f := range append(others, rows...) {
		campaignIDs[f.CampaignID] = true
	}
	ids = ids[:0]
	for id := range campaignIDs {
		ids = append(ids, id)
	}
	cs, err := s.st.Client.Campaign.Query().Where(campaign.IDIn(ids...)).All(sys)
	if err != nil {
		return nil, err
	}
	byCampaign := map[string]*ent.Campaign{}
	for _, c := range cs {
		byCampaign[c.ID] = c
	}
	names := map[string]string{}
	for _, f := range rows {
		mine := byCampaign[f.CampaignID]
		seen := map[string]bool{}
		for _, o := range others {
			theirs := byCampaign[o.CampaignID]
			if o.Sha256 != f.Sha256 || o.UnitID == f.UnitID || mine == nil || theirs == nil || seen[o.ApplicationID] {
				continue
			}
			sameYearBelow := theirs.Year == mine.Year && (strings.HasPrefix(o.ScopePath, mine.ScopePath) || strings.HasPrefix(f.ScopePath, theirs.ScopePath))
			if o.CampaignID != f.CampaignID && !sameYearBelow {
				continue
			}
			seen[o.ApplicationID] = true
			c := &evidencev1.Copy{}
			if v.CanRead(o.ScopePath) && v.CanRead(f.ScopePath) {
				c.ApplicationId, c.UnitId = o.ApplicationID, o.UnitID
				if _, ok := names[o.UnitID]; !ok {
					if u, err := s.st.Client.Unit.Get(ctx, o.UnitID); err == nil {
						names[o.UnitID] = u.DisplayName
					}
				}
				c.UnitDisplayName = names[o.UnitID]
			}
			out[f.ID].Copies = append(out[f.ID].Copies, c)
		}
	}
	return out, nil
}

// sweepGrace is how old an unreferenced blob or a temporary must be before the sweeper
// removes it: far longer than any upload takes between publishing its blob and
// committing its row, so a blob is never taken from an upload in flight.
const sweepGrace = time.Hour

// SweepBlobs removes temporaries and unreferenced blobs older than sweepGrace: what
// uploads that failed or crashed left behind. Every replica may run it.
func (s *Server) SweepBlobs(ctx context.Context, now time.Time) (blob.SweepStats, error) {
	sys := store.System(ctx)
	return s.blobs.Sweep(ctx, now.Add(-sweepGrace), func(ctx context.Context, sums []string) (map[string]bool, error) {
		rows, err := s.st.Client.EvidenceFile.Query().Where(evidencefile.Sha256In(sums...)).Select(evidencefile.FieldSha256).Strings(sys)
		if err != nil {
			return nil, err
		}
		used := make(map[string]bool, len(rows))
		for _, r := range rows {
			used[r] = true
		}
		return used, nil
	})
}
