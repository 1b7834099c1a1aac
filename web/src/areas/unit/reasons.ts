// What a unit can do about each refusal it may meet; the server's localized message says
// what happened, this says what next.
const hints: Record<string, string> = {
  CAMPAIGN_NOT_OPEN: '该测评当前不在申报期，请留意文明办发布的申报时间。',
  UNIT_OUTSIDE_CAMPAIGN: '本单位不属于该测评的文明办辖区，不能申报。',
  TITLE_REQUIRED: '申报该级别测评需先持有下一级文明单位称号且在有效期内。',
  NEGATIVE_LIST_DISQUALIFIED: '本单位在负面清单回溯期内有取消资格的记录，如有异议请联系文明办。',
  ALREADY_APPLIED: '本单位已申报该测评，可在“我的申报”中继续填报。',
  CAMPAIGN_NOT_IN_SUBMISSION: '只能在材料报送阶段、截止时间前提交申报。',
  APPLICATION_INCOMPLETE: '请按下列清单补齐材料后再提交。',
  EVIDENCE_INCOMPLETE: '请按下列要求补齐后再报送。',
  EVIDENCE_WINDOW_CLOSED: '不在该期材料的报送时间内；如需延期，请联系文明办办理延期。',
  EVIDENCE_LOCKED: '该项退回次数已达上限，不能再次报送。',
  REVISION_LIMIT: '该项报送次数已达上限。',
  ETAG_MISMATCH: '内容已被他人修改，页面已刷新，请核对后重试。',
  FILE_TOO_LARGE: '文件超过大小上限，请压缩或拆分后上传。',
  APPLICATION_FILES_FULL: '本申报的文件总量已达上限，请删减不必要的文件。',
  FILE_TYPE_REFUSED: '不支持该文件类型，请转换为图片、PDF 或 Office 文档后上传。',
  FILE_TYPE_MISMATCH: '文件内容与扩展名不符，请确认文件未损坏或改名。',
  RATE_LIMITED: '操作过于频繁，请稍后再试。',
};

export function reasonHint(reason: string | undefined): string | undefined {
  return reason ? hints[reason] : undefined;
}
