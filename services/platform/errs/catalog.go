package errs

import (
	"net/http"

	"google.golang.org/grpc/codes"
)

// Reason is one ErrorInfo reason, as the catalog lists it. The call sites keep writing the
// reason inline (errs.New(codes.X, "REASON", …)); TestCatalogMatchesCode scans the sources
// and fails when a reason is used but not listed here, listed but used nowhere, or listed
// with another code than a call site gives it. docs/errors.md is generated from this table.
type Reason struct {
	// Name is the ErrorInfo reason: stable, UPPER_SNAKE_CASE, never reused for another meaning.
	Name string
	// Code is the gRPC code every call site answers with.
	Code codes.Code
	// HTTP is the status the gateway writes when it is not the one grpc-gateway maps Code to;
	// zero means the mapped one.
	HTTP int
	// Command, when set, is the wenming command that answers with the reason: it is no API
	// answer, and has no HTTP status.
	Command string
	// Group places the reason on the reasons page.
	Group Group
	// EN and ZH say in one line what the reason means.
	EN, ZH string
	// Do says what a client should do about it.
	Do string
}

// Group is a heading of the reasons page; groups appear in the order of the catalog.
type Group string

// The groups of the catalog.
const (
	GroupRequests  Group = "Every request"
	GroupRetries   Group = "Retries with Idempotency-Key"
	GroupRouting   Group = "REST routing (the gateway)"
	GroupSignIn    Group = "Sign-in and tokens"
	GroupTenancy   Group = "Offices, units and accounts"
	GroupStandards Group = "Standards and indicators"
	GroupCampaigns Group = "Campaigns"
	GroupEvidence  Group = "Applications, evidence and files"
	GroupReview    Group = "Review, results and ranking"
	GroupPublicity Group = "Publicity, naming, titles and notifications"
	GroupAudit     Group = "Audit trail"
	GroupOperator  Group = "Operator commands (never an API answer)"
)

// Catalog returns every reason Wenming answers with, grouped as the reasons page shows
// them. Each call returns a fresh slice.
func Catalog() []Reason {
	return []Reason{
		{
			Name: "INVALID_ARGUMENT", Code: codes.InvalidArgument, Group: GroupRequests,
			EN: "The request is invalid; BadRequest names each offending field and why.",
			ZH: "请求无效；BadRequest 列出每个有问题的字段及原因。",
			Do: "Fix the fields named in the field violations and send the request again; unchanged, it fails the same way.",
		},
		{
			Name: "TRANSACTION_CONFLICT", Code: codes.Aborted, Group: GroupRequests,
			EN: "The database aborted the request's transaction to resolve a conflict with a concurrent one (a deadlock or serialization failure, or on SQLite a write lock held longer than the busy timeout); nothing was changed.",
			ZH: "数据库为解决与并发请求的冲突（死锁、串行化失败，或 SQLite 的写锁被占用超过等待时间）中止了本请求的事务，未做任何修改。",
			Do: "Send the same request again after Retry-After (1 s); with an Idempotency-Key it is safe whatever happened.",
		},
		{
			Name: "BACKEND_UNAVAILABLE", Code: codes.Unavailable, Group: GroupRequests,
			EN: "The database or file store the request needs did not answer or refused the connection (restarting, failing over, out of connections, unreachable).",
			ZH: "请求所需的数据库或文件存储无响应或拒绝连接（正在重启、切换、连接数耗尽或网络不通）。",
			Do: "Send the same request again after Retry-After (2 s), backing off; a write sent with an Idempotency-Key is safe to resend whatever happened (docs/errors.md, \"Retrying\").",
		},
		{
			Name: "BACKEND_TIMEOUT", Code: codes.Unavailable, Group: GroupRequests,
			EN: "The database cancelled the request's statement after its statement or lock timeout; nothing was changed.",
			ZH: "数据库因语句或锁等待超时取消了本请求的操作，未做任何修改。",
			Do: "Send the same request again after Retry-After (2 s), backing off; if it keeps timing out, ask the operator (docs/operations.md).",
		},
		{
			Name: "STORAGE_FULL", Code: codes.Unavailable, Group: GroupRequests,
			EN: "The disk of the database or the file store is full; nothing was stored.",
			ZH: "数据库或文件存储的磁盘已满，未保存任何内容。",
			Do: "Keep the file and send it again later (Retry-After, 60 s); the operator is alerted and must free or add space.",
		},
		{
			Name: "UNAUTHENTICATED", Code: codes.Unauthenticated, Group: GroupRequests,
			EN: "The bearer token is missing, malformed, invalid, revoked or expired.",
			ZH: "访问令牌缺失、格式错误、无效、已撤销或已过期。",
			Do: "Get a new access token (`POST /v1/auth/refresh`, or log in again) and retry.",
		},
		{
			Name: "PERMISSION_DENIED", Code: codes.PermissionDenied, Group: GroupRequests,
			EN: "The caller's roles or scope do not allow this action.",
			ZH: "调用者的角色或管辖范围不允许此操作。",
			Do: "Do not retry; ask an admin of the office for the role the action needs (docs/authorization.md).",
		},
		{
			Name: "NOT_FOUND", Code: codes.NotFound, Group: GroupRequests,
			EN: "The object does not exist, or it is outside the caller's scope: the two answers are the same.",
			ZH: "对象不存在，或不在调用者的管辖范围内：两种情况的回答相同。",
			Do: "Check the id; an object of an office you cannot read looks missing by design.",
		},
		{
			Name: "ALREADY_EXISTS", Code: codes.AlreadyExists, Group: GroupRequests,
			EN: "A uniqueness rule of the database refused the write, usually because the same thing was created at the same moment.",
			ZH: "数据库唯一性约束拒绝了写入，通常是同一对象被同时创建。",
			Do: "Read the existing object instead of creating it again; send an Idempotency-Key with creates so that retries are safe.",
		},
		{
			Name: "ETAG_MISMATCH", Code: codes.Aborted, Group: GroupRequests,
			EN: "The resource was changed by someone else since you read it (stale etag).",
			ZH: "资源在读取后已被他人修改（etag 不匹配）。",
			Do: "Read the resource again, reapply the change to the new version and send it with the new etag.",
		},

		{
			Name: "IDEMPOTENCY_KEY_REUSED", Code: codes.InvalidArgument, HTTP: http.StatusUnprocessableEntity, Group: GroupRetries,
			EN: "This caller used the Idempotency-Key for a different request in the last 24 hours.",
			ZH: "调用者在 24 小时内已将此 Idempotency-Key 用于另一个不同的请求。",
			Do: "Use a new key for a new request; reuse a key only to retry the identical request.",
		},
		{
			Name: "IDEMPOTENCY_KEY_IN_USE", Code: codes.Aborted, Group: GroupRetries,
			EN: "A request with this Idempotency-Key is still being processed.",
			ZH: "使用此 Idempotency-Key 的请求仍在处理中。",
			Do: "Retry the identical request with the same key after a few seconds.",
		},
		{
			Name: "IDEMPOTENT_REQUEST_DONE", Code: codes.AlreadyExists, Group: GroupRetries,
			EN: "A request with this Idempotency-Key was carried out, but its response was not kept.",
			ZH: "使用此 Idempotency-Key 的请求已执行，但其响应未被保存。",
			Do: "Do not create again: list or read the resource to find the result.",
		},

		{
			Name: "REQUEST_TOO_LARGE", Code: codes.ResourceExhausted, HTTP: http.StatusRequestEntityTooLarge, Group: GroupRouting,
			EN: "The request body is larger than the gateway accepts (1 MiB by default).",
			ZH: "请求体超过网关允许的大小（默认 1 MiB）。",
			Do: "Send a smaller body; split large imports.",
		},
		{
			Name: "NO_SUCH_ROUTE", Code: codes.NotFound, Group: GroupRouting,
			EN: "No API route has this path.",
			ZH: "不存在此接口路径。",
			Do: "Check the path against the API reference at `/docs`.",
		},
		{
			Name: "METHOD_NOT_ALLOWED", Code: codes.Unimplemented, HTTP: http.StatusMethodNotAllowed, Group: GroupRouting,
			EN: "The path exists but does not take this HTTP method.",
			ZH: "此接口路径不支持该 HTTP 方法。",
			Do: "Use a method the path takes (see `/docs`).",
		},

		{
			Name: "CROSS_SITE_REQUEST", Code: codes.PermissionDenied, Group: GroupSignIn,
			EN: "A cookie session request (header `X-Wenming-Session: cookie`) came from a page of another site.",
			ZH: "使用 Cookie 会话的请求（`X-Wenming-Session: cookie` 头）来自其他站点的页面。",
			Do: "Sign in from the console served by the platform itself; API clients send the refresh token in the body instead (docs/console.md).",
		},
		{
			Name: "INVALID_CREDENTIALS", Code: codes.Unauthenticated, Group: GroupSignIn,
			EN: "The login or password, or the client id or secret, is wrong, or the account is disabled; all get the same answer.",
			ZH: "账号或密码（或客户端 ID 或密钥）错误，或账号已停用；这几种情况的回答相同。",
			Do: "Ask the person to check what they typed; do not retry automatically, since every attempt counts toward the rate limit.",
		},
		{
			Name: "INVALID_REFRESH_TOKEN", Code: codes.Unauthenticated, Group: GroupSignIn,
			EN: "The refresh token is unknown, expired, revoked or already used (the session then ends), or its user is disabled.",
			ZH: "刷新令牌未知、已过期、已撤销或已被使用过（会话随之结束），或其用户已停用。",
			Do: "Log in again with login and password.",
		},
		{
			Name: "RATE_LIMITED", Code: codes.ResourceExhausted, Group: GroupSignIn,
			EN: "Too many login, token or password attempts from this address or on this account, or too many requests to a public endpoint (the publicity list, objections).",
			ZH: "来自此地址或针对此账号的登录、令牌或密码尝试次数过多，或对公开接口（公示名单、异议）的请求过于频繁。",
			Do: "Wait for RetryInfo's delay (the `Retry-After` header) before trying again; an operator can clear a login lockout with `wenming admin unlock`.",
		},

		{
			Name: "LOGIN_TAKEN", Code: codes.AlreadyExists, Group: GroupTenancy,
			EN: "Another account already has this login (logins ignore letter case).",
			ZH: "该登录名已被其他账号使用（登录名不区分大小写）。",
			Do: "Choose another login.",
		},
		{
			Name: "CREDIT_CODE_TAKEN", Code: codes.AlreadyExists, Group: GroupTenancy,
			EN: "A unit with this unified social credit code is already registered: in your scope (the field violation names it) or with another office (not named).",
			ZH: "已有单位登记了该统一社会信用代码：在您的管辖范围内（字段说明会指出该单位）或在其他文明办（不指出）。",
			Do: "Use the unit that is registered; if another office registered your unit by mistake, ask the platform admin to release the code.",
		},
		{
			Name: "HUMANS_ONLY", Code: codes.PermissionDenied, Group: GroupTenancy,
			EN: "A service account tried to create or manage accounts; only a person can.",
			ZH: "服务账号试图创建或管理账号；只有人员账号可以。",
			Do: "Manage accounts as a person with the admin role, not with a service account's token.",
		},
		{
			Name: "OFFICE_HAS_ADMIN", Code: codes.FailedPrecondition, Group: GroupTenancy,
			EN: "The office already has an admin, so only its own admins add its users.",
			ZH: "该文明办已有管理员，只能由其本级管理员添加用户。",
			Do: "Ask an admin of that office to create the user.",
		},

		{
			Name: "UNIT_FILE_INVALID", Code: codes.InvalidArgument, Group: GroupTenancy,
			EN: "The units XLSX file has problems and no unit was registered; each problem (the first 100) is a violation of content, placed by row and column.",
			ZH: "单位 XLSX 文件存在问题，未登记任何单位；每个问题（最多前 100 个）按行、列列为 content 的一条字段说明。",
			Do: "Fix the file at the rows and columns listed (for a code already registered, remove the row or use the registered unit) and import it again.",
		},
		{
			Name: "NEGATIVE_LIST_ENTRY_ANNULLED", Code: codes.FailedPrecondition, Group: GroupTenancy,
			EN: "The negative-list entry is already annulled; an entry is annulled once.",
			ZH: "该负面清单记录已撤销，每条记录只能撤销一次。",
			Do: "Nothing to do: read the entry to see who annulled it, when and why; record a new entry if the event counts again.",
		},
		{
			Name: "STANDARD_INVALID", Code: codes.InvalidArgument, Group: GroupStandards,
			EN: "The draft cannot be published: each problem (points, caps, grades, the indicator tree) is a field violation.",
			ZH: "草稿无法发布：每个问题（分值、上限、等级、指标树）都列为一条字段说明。",
			Do: "Fix each problem listed (`GET …:validate` shows them too) and publish again.",
		},
		{
			Name: "STANDARD_FILE_INVALID", Code: codes.InvalidArgument, Group: GroupStandards,
			EN: "The YAML or XLSX file has problems and nothing was imported; each problem (the first 100) is a violation of `content`.",
			ZH: "YAML 或 XLSX 文件存在问题，未导入任何内容；每个问题（最多前 100 个）列为 content 的一条字段说明。",
			Do: "Fix the file at the places listed and import it again.",
		},
		{
			Name: "STANDARD_CODE_TAKEN", Code: codes.AlreadyExists, Group: GroupStandards,
			EN: "The office already has a standard with this code.",
			ZH: "本文明办已有此编码的测评体系。",
			Do: "Make a new version of that standard (`:newVersion`), or choose another code.",
		},
		{
			Name: "STANDARD_NOT_DRAFT", Code: codes.FailedPrecondition, Group: GroupStandards,
			EN: "The standard is published or retired, and those never change.",
			ZH: "测评体系已发布或已停用，不可再修改。",
			Do: "Make a new version (`:newVersion`) and edit that draft.",
		},
		{
			Name: "STANDARD_IS_DRAFT", Code: codes.FailedPrecondition, Group: GroupStandards,
			EN: "A new version was asked of a standard that is itself a draft.",
			ZH: "对仍为草稿的测评体系申请了新版本。",
			Do: "Edit the draft itself.",
		},
		{
			Name: "STANDARD_DRAFT_EXISTS", Code: codes.AlreadyExists, Group: GroupStandards,
			EN: "A later version of this standard is already a draft; a standard has one draft at a time.",
			ZH: "该测评体系已有一个较新的草稿版本；同一时间只能有一个草稿。",
			Do: "Edit that draft instead of making another.",
		},
		{
			Name: "STANDARD_NOT_PUBLISHED", Code: codes.FailedPrecondition, Group: GroupStandards,
			EN: "Only a published standard can be retired.",
			ZH: "只有已发布的测评体系可以停用。",
			Do: "Nothing to retire: a draft is published first, and a retired standard stays retired.",
		},
		{
			Name: "INDICATOR_CODE_TAKEN", Code: codes.AlreadyExists, Group: GroupStandards,
			EN: "The standard already has an indicator with this code.",
			ZH: "该测评体系已有此编码的指标。",
			Do: "Choose another code, or update the existing indicator.",
		},
		{
			Name: "INDICATOR_HAS_CHILDREN", Code: codes.FailedPrecondition, Group: GroupStandards,
			EN: "The indicator to delete has children.",
			ZH: "要删除的指标有下级指标。",
			Do: "Delete the children first, or delete with `cascade=true`.",
		},

		{
			Name: "CAMPAIGN_FIELD_FROZEN", Code: codes.FailedPrecondition, Group: GroupCampaigns,
			EN: "The campaign's phase no longer lets this field change; the update_mask violation names it.",
			ZH: "创建周期当前阶段已不允许修改该字段；update_mask 的字段说明会指出它。",
			Do: "Leave the field out of update_mask: it is fixed for the rest of the campaign.",
		},
		{
			Name: "CAMPAIGN_WRONG_ORDER", Code: codes.FailedPrecondition, Group: GroupCampaigns,
			EN: "A campaign moves only to its next phase, and a closed one to none.",
			ZH: "创建周期只能进入下一阶段，已结束的周期不能再推进。",
			Do: "Move to the next phase the message names.",
		},
		{
			Name: "CAMPAIGN_TOO_EARLY", Code: codes.FailedPrecondition, Group: GroupCampaigns,
			EN: "The window of the next phase has not opened yet.",
			ZH: "下一阶段的时间窗口尚未开始。",
			Do: "Wait until it opens (the message says when), or force the move with a reason (audited).",
		},

		{
			Name: "CAMPAIGN_NOT_OPEN", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The campaign takes applications only while it is OPEN and its application window runs.",
			ZH: "创建周期仅在开放申报阶段、申报时间内接受申报。",
			Do: "Apply while the campaign is open; ask its office when it opens.",
		},
		{
			Name: "UNIT_OUTSIDE_CAMPAIGN", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The unit is not registered with the campaign's office or an office below it.",
			ZH: "该单位未在创建周期所属文明办或其下级登记。",
			Do: "Apply to a campaign of the unit's own office or of an office above it.",
		},
		{
			Name: "TITLE_REQUIRED", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The campaign admits units holding a title of a given level or higher, in force; the unit holds none.",
			ZH: "创建周期要求申报单位持有一定级别及以上且在有效期内的文明单位称号，该单位不符合。",
			Do: "Ask the office to record the unit's title (POST /v1/units/{unitId}/titles) if it holds one; otherwise apply to a campaign of the level below.",
		},
		{
			Name: "NEGATIVE_LIST_DISQUALIFIED", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The unit has a disqualifying negative-list entry inside the campaign's look-back window.",
			ZH: "该单位在创建周期追溯期内有一票否决的负面清单记录。",
			Do: "Nothing to retry: the unit may apply once the entry is outside the window or annulled by the office that recorded it.",
		},
		{
			Name: "ALREADY_APPLIED", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The unit has applied to this campaign already: one application per unit and campaign.",
			ZH: "该单位已申报该创建周期：每个单位每个周期只能申报一次。",
			Do: "Use the existing application (GET /v1/units/{unitId}/applications).",
		},
		{
			Name: "APPLICATION_WRONG_STATE", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The application's state does not allow this action (a submitted application's evidence is frozen; review has begun).",
			ZH: "申报当前状态不允许此操作（已提交的申报材料已冻结，或已进入审核）。",
			Do: "Read the application and act as its state allows (docs/evidence.md).",
		},
		{
			Name: "CAMPAIGN_NOT_TAKING_EVIDENCE", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The campaign takes evidence while it is OPEN or in SUBMISSION.",
			ZH: "创建周期仅在开放申报和材料报送阶段接受材料。",
			Do: "Only returned items may be resubmitted after submission closes.",
		},
		{
			Name: "CAMPAIGN_NOT_IN_SUBMISSION", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "An application is submitted while its campaign is in SUBMISSION, before the deadline.",
			ZH: "申报须在材料报送阶段、截止时间前提交。",
			Do: "Submit during the submission phase; ask the office if the deadline passed.",
		},
		{
			Name: "EVIDENCE_WINDOW_CLOSED", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The period's reporting window is not open: too early or late. The PreconditionFailure detail gives the window in the office's time zone.",
			ZH: "该周期的报送时间未开始或已截止，PreconditionFailure 详情给出文明办时区下的报送时间。",
			Do: "Submit inside the window; for late evidence ask the campaign's office for an extension (:extend).",
		},
		{
			Name: "EVIDENCE_INCOMPLETE", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The evidence lacks what its indicator's evidence spec asks for (files, photos, a narrative, the measured value), listed in the PreconditionFailure detail.",
			ZH: "材料未达到指标报送要求（文件、照片、文字说明或测量值），详见 PreconditionFailure。",
			Do: "Add what is listed to the draft and submit again.",
		},
		{
			Name: "APPLICATION_INCOMPLETE", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "Items of the application still lack evidence; the PreconditionFailure detail lists every one (indicator/period and what it wants).",
			ZH: "申报仍有材料未达到要求，PreconditionFailure 详情逐项列出（指标/周期及缺少的内容）。",
			Do: "Complete each listed item (or ask for an extension of a closed window) and submit again.",
		},
		{
			Name: "NOTHING_TO_SUBMIT", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The item has no draft since its last submission.",
			ZH: "该项自上次报送以来没有草稿。",
			Do: "Save a draft (PUT …/evidence/{indicatorCode}/{period}) and submit it.",
		},
		{
			Name: "REVISION_LIMIT", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The item has 50 revisions, as many as one item may have.",
			ZH: "该项材料已报送 50 次，达到单项上限。",
			Do: "Ask the campaign's office: the history so far is kept and readable.",
		},
		{
			Name: "EXTENSION_LIMIT", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The application has 100 deadline extensions, as many as one may have.",
			ZH: "本申报已有 100 次延期，达到上限。",
			Do: "Extend everything at once (no indicator, no period) to the latest date needed.",
		},
		{
			Name: "EVIDENCE_LOCKED", Code: codes.FailedPrecondition, Group: GroupEvidence,
			EN: "The evidence was returned more often than the campaign allows resubmissions: it is locked and scores 0.",
			ZH: "该材料退回次数超过允许的重新报送次数：已锁定，该指标计 0 分。",
			Do: "Nothing to retry.",
		},
		{
			Name: "FILE_TOO_LARGE", Code: codes.ResourceExhausted, HTTP: http.StatusRequestEntityTooLarge, Group: GroupEvidence,
			EN: "The file is larger than the per-file limit; nothing was stored.",
			ZH: "文件超过单个文件大小上限，未保存。",
			Do: "Send a smaller file (compress the video or split the document).",
		},
		{
			Name: "APPLICATION_FILES_FULL", Code: codes.ResourceExhausted, HTTP: http.StatusRequestEntityTooLarge, Group: GroupEvidence,
			EN: "The application's files would exceed their total size, or their number (1 000); nothing was stored.",
			ZH: "本申报文件总量或文件数（1000 个）将超过上限，未保存。",
			Do: "Attach smaller files, or ask the operator about the limit.",
		},
		{
			Name: "FILE_TYPE_REFUSED", Code: codes.InvalidArgument, HTTP: http.StatusUnsupportedMediaType, Group: GroupEvidence,
			EN: "The file's bytes are not of a type evidence may be (images, PDF, office documents, audio, video).",
			ZH: "文件内容不属于允许的材料类型（图片、PDF、办公文档、音视频）。",
			Do: "Convert the file to an accepted type.",
		},
		{
			Name: "FILE_TYPE_MISMATCH", Code: codes.InvalidArgument, HTTP: http.StatusUnsupportedMediaType, Group: GroupEvidence,
			EN: "The declared Content-Type does not match the file's bytes.",
			ZH: "声明的 Content-Type 与文件内容不符。",
			Do: "Send the right Content-Type, or application/octet-stream to let the server detect it.",
		},
		{
			Name: "RANGE_NOT_SATISFIABLE", Code: codes.OutOfRange, HTTP: http.StatusRequestedRangeNotSatisfiable, Group: GroupEvidence,
			EN: "The requested range starts past the end of the file.",
			ZH: "请求的范围超出文件末尾。",
			Do: "Request a range inside the file; Content-Range gives its size.",
		},
		{
			Name: "FILE_CONTENT_MISSING", Code: codes.DataLoss, Group: GroupEvidence,
			EN: "The file's row exists but its bytes are missing from the blob store: a storage fault.",
			ZH: "文件记录存在但存储中缺少其内容：存储故障。",
			Do: "Do not retry; report it to the operator, who restores the blob store from backup.",
		},

		{
			Name: "NOT_MODIFIED", Code: codes.FailedPrecondition, HTTP: http.StatusNotModified, Group: GroupReview,
			EN: "Nothing a summary counts changed since the ETag named in If-None-Match (HTTP 304, no body).",
			ZH: "自 If-None-Match 所给 ETag 以来，汇总所统计的数据没有变化（HTTP 304，无响应体）。",
			Do: "Keep using the summary you hold.",
		},
		{
			Name: "CAMPAIGN_NOT_IN_REVIEW", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "Reviews are assigned, entered and changed only while the campaign is in REVIEW.",
			ZH: "仅在创建周期的评审阶段可以分配、录入和修改评审。",
			Do: "Move the campaign to REVIEW first; after RANKED the scores stand (docs/review.md).",
		},
		{
			Name: "NOT_ENOUGH_REVIEWERS", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "Some applications cannot get the campaign's number of reviewers free of conflicts; nothing was assigned.",
			ZH: "部分申报无法分配到足够的无利益冲突评审员，本次未作任何分配。",
			Do: "Add REVIEWER users to the campaign's office, or lower reviewers_per_application; the details name each application.",
		},
		{
			Name: "ASSIGNMENT_WRONG_STATE", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "The score sheet's state does not allow this action (finalized sheets change only after a reopen; withdrawn ones never).",
			ZH: "评分表当前状态不允许此操作（已提交的评分表须重新打开后才能修改，已撤回的不能修改）。",
			Do: "Read the sheet; an office admin reopens a finalized sheet with a reason.",
		},
		{
			Name: "SHEET_INCOMPLETE", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "A score sheet is finalized only when every scored leaf has an entry.",
			ZH: "评分表须对全部计分指标评分后才能提交。",
			Do: "Save scores for the indicators the details list, then finalize.",
		},
		{
			Name: "SHEETS_INCOMPLETE", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "An application's result needs an entry on every scored leaf from its reviewers.",
			ZH: "测评结果需要评审员对全部计分指标评分。",
			Do: "Reopen and complete the sheets; this answer means a sheet was finalized without scores the standard needs.",
		},
		{
			Name: "AWAITING_RESUBMISSION", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "Returned evidence is still due back from the unit: the sheet cannot be finalized yet.",
			ZH: "退回的材料尚待单位重新报送，评分表暂不能提交。",
			Do: "Finalize after the unit resubmits, or after the return's due time passes (the item then scores 0).",
		},
		{
			Name: "CONFLICT_EXISTS", Code: codes.AlreadyExists, Group: GroupReview,
			EN: "The reviewer declared a conflict of interest with this unit already.",
			ZH: "该评审员已声明与该单位存在利益冲突。",
			Do: "Nothing to do: the conflict stands.",
		},
		{
			Name: "NO_VETO_PROPOSED", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "No reviewer proposed a veto on the indicator, so there is nothing to confirm or reject.",
			ZH: "没有评审员对该指标提议否决，无需决定。",
			Do: "Check the indicator code; a veto is proposed on a reviewer's sheet first.",
		},
		{
			Name: "NOT_SCORED", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "The application has no result yet; spot checks follow scoring.",
			ZH: "该申报尚无测评结果，抽查须在评分完成后进行。",
			Do: "Wait until every reviewer has finalized the application.",
		},
		{
			Name: "CAMPAIGN_WRONG_STATE", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "The campaign's phase does not allow this action.",
			ZH: "创建周期当前阶段不允许此操作。",
			Do: "Read the campaign's state and the action's phases in docs/review.md.",
		},
		{
			Name: "REVIEW_INCOMPLETE", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "Some applications have no result yet, so the campaign cannot be ranked.",
			ZH: "仍有申报没有测评结果，不能进入排名阶段。",
			Do: "Finish their review, or force the move with a reason: they are then not recommended.",
		},
		{
			Name: "PARENT_CAMPAIGN_CLOSED", Code: codes.FailedPrecondition, Group: GroupReview,
			EN: "The parent campaign no longer takes recommended applications.",
			ZH: "上级创建周期已不再接收推荐。",
			Do: "Ask the parent office to keep its campaign open, or remove parent_campaign_id before ranking.",
		},

		{
			Name: "CAMPAIGN_WRONG_PHASE", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "The campaign is not in the phase the action belongs to (objections in PUBLICITY, the naming list from PUBLICITY on).",
			ZH: "创建周期不处于该操作所属的阶段（异议在公示阶段处理，命名名单自公示阶段起提供）。",
			Do: "Read the campaign's state; docs/publicity.md lists each action's phases.",
		},
		{
			Name: "CAMPAIGN_IS_REINSPECTION", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "Nobody applies to a reinspection, and no holder withdraws from one: it enters the holders of its office's titles when it opens.",
			ZH: "复查无需申报，持有单位也不能撤回：开始时自动纳入本级称号的持有单位。",
			Do: "A holder finds its application in the campaign's list (GET /v1/units/{id}/applications) and submits its evidence there.",
		},
		{
			Name: "REINSPECTION_UNDECIDED", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "Some holders of a reinspection have no decision yet, so the campaign cannot close.",
			ZH: "复查仍有单位未作出处理决定，不能结束。",
			Do: "List them (GET /v1/campaigns/{id}/reinspection) and decide each (:decideReinspection).",
		},
		{
			Name: "REINSPECTION_DECIDED", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "The holder's reinspection was decided already; a decision is final.",
			ZH: "该单位的复查已作出处理决定，不可更改。",
			Do: "Move the title itself (POST /v1/titles/{id}:transition) if more is needed.",
		},
		{
			Name: "TOO_MANY_WEBHOOKS", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "The office has as many webhooks as it may (20).",
			ZH: "该文明办的推送地址已达上限（20 个）。",
			Do: "Reuse a webhook the office no longer needs: change its url and events (PATCH /v1/webhooks/{id}); disabled ones count too.",
		},
		{
			Name: "REDELIVERY_PENDING", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "A redelivery of this delivery has not finished yet.",
			ZH: "该推送的重新发送尚未完成。",
			Do: "Wait for it in the delivery log, then redeliver again if needed.",
		},
		{
			Name: "OBJECTION_DECIDED", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "The objection was handled already; a decision is final.",
			ZH: "该异议已处理，处理结果不可更改。",
			Do: "Read the objection for its finding; a new matter is a new objection.",
		},
		{
			Name: "OBJECTIONS_PENDING", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "Some objections to the publicity list are not handled yet, so the campaign cannot close and name.",
			ZH: "仍有公示异议未处理，不能结束创建周期并命名。",
			Do: "List the RECEIVED objections (GET /v1/campaigns/{id}/objections?state=OBJECTION_STATE_RECEIVED) and decide each.",
		},
		{
			Name: "TITLE_WRONG_STATE", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "The title cannot move to that state from the state it is in.",
			ZH: "称号当前状态不能变更为所请求的状态。",
			Do: "Read the title's state; docs/units-and-titles.md draws the moves a title may make.",
		},
		{
			Name: "TITLE_TERM_ENDED", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "The title's term has ended; an expired title is not warned, restored or revoked.",
			ZH: "称号任期已届满，不再进行警示、恢复或撤销。",
			Do: "Nothing to do: the title no longer counts. A new title comes from a new campaign.",
		},
		{
			Name: "NO_REVOCATION_PROPOSED", Code: codes.FailedPrecondition, Group: GroupPublicity,
			EN: "No revocation of this title is proposed, so there is none to dismiss.",
			ZH: "该称号没有待处理的撤销建议。",
			Do: "Read the title: proposedRevocationEntryId is set while a proposal waits.",
		},

		{
			Name: "AUDIT_CHAIN_BROKEN", Code: codes.DataLoss, Group: GroupAudit,
			EN: "The newest event of the office's audit chain does not verify: the trail was altered, so no checkpoint is signed.",
			ZH: "该文明办留痕链的最新记录校验失败：留痕已被篡改，因此不签发检查点。",
			Do: "Do not retry; report it to the platform operator, who runs `wenming audit verify` (docs/audit.md).",
		},

		{
			Name: "ADMIN_EXISTS", Code: codes.FailedPrecondition, Command: "wenming admin bootstrap", Group: GroupOperator,
			EN: "A platform admin already exists, so none was created.",
			ZH: "平台管理员已存在，未创建新的管理员。",
			Do: "Sign in as the existing platform admin; to recover its access use `wenming admin unlock --password-stdin`.",
		},
		{
			Name: "ALREADY_RELEASED", Code: codes.FailedPrecondition, Command: "wenming admin release-credit-code", Group: GroupOperator,
			EN: "The unit's credit code is already released.",
			ZH: "该单位的统一社会信用代码已释放。",
			Do: "Nothing to do: the rightful office can register the code.",
		},
	}
}
