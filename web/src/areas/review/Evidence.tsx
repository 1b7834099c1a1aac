import { lazy, Suspense, useEffect, useState } from 'react';
import { Button, Collapse, Empty, Image, Modal, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined, EyeOutlined, WarningOutlined } from '@ant-design/icons';
import type { components } from '../../api/schema';
import { errorMessage } from '../../api/errors';
import { deadline, formatDateTime, formatFileSize, formatPeriod, periodOrder } from '../../lib/format';
import { evidenceStateColor, evidenceStateLabel } from '../../lib/labels';
import { fetchFile, saveStoredFile } from '../../lib/files';
import { message } from '../../lib/feedback';

const PdfViewer = lazy(() => import('./PdfViewer'));

export type Evidence = components['schemas']['v1Evidence'];
export type EvidenceFile = components['schemas']['v1File'];

export function isImage(f: EvidenceFile): boolean {
  return /^image\/(jpeg|png|gif|webp|bmp)$/.test(f.contentType ?? '');
}

export function isPdf(f: EvidenceFile): boolean {
  return (f.contentType ?? '') === 'application/pdf';
}

// CopyFlag warns that the same bytes appear in another unit's evidence (possible copied
// evidence); the office users' view names the other units when they may see them.
export function CopyFlag({ file }: { file: EvidenceFile }) {
  const copies = file.copies ?? [];
  if (copies.length === 0) return null;
  const names = copies.map((c) => c.unitDisplayName || '其他单位');
  return (
    <Tooltip title={`与以下申报中的文件内容相同：${names.join('、')}`}>
      <Tag color="error" icon={<WarningOutlined />}>
        疑似雷同（{copies.length}）
      </Tag>
    </Tooltip>
  );
}

// Object URLs of images already fetched, by file id: the same photo attached to many
// periods is fetched once per page visit.
const imageUrls = new Map<string, Promise<string>>();

export function imageUrl(file: EvidenceFile): Promise<string> {
  const id = file.id ?? '';
  let p = imageUrls.get(id);
  if (!p) {
    p = fetchFile(`/v1/files/${encodeURIComponent(id)}/content`, {}, file.name).then((f) => URL.createObjectURL(f.blob));
    p.catch(() => imageUrls.delete(id));
    imageUrls.set(id, p);
  }
  return p;
}

// ImageThumb shows an image fetched with the bearer token from a blob: URL (img-src allows
// blob:), never from a URL that would need a cookie.
function ImageThumb({ file }: { file: EvidenceFile }) {
  const [src, setSrc] = useState<string>('');
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    imageUrl(file)
      .then((u) => !cancelled && setSrc(u))
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
    };
  }, [file]);
  if (failed) return <Typography.Text type="secondary">图片无法加载</Typography.Text>;
  if (!src) return <Spin size="small" />;
  return <Image src={src} alt={file.name ?? ''} width={96} height={72} style={{ objectFit: 'cover' }} />;
}

function FileRow({ file }: { file: EvidenceFile }) {
  const [pdf, setPdf] = useState<Blob | null>(null);
  const [busy, setBusy] = useState(false);
  const path = `/v1/files/${encodeURIComponent(file.id ?? '')}/content`;
  const openPdf = async () => {
    setBusy(true);
    try {
      const f = await fetchFile(path, {}, file.name);
      setPdf(f.blob);
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const download = async () => {
    try {
      await saveStoredFile(file.id ?? '', file.name ?? '');
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  return (
    <Space wrap align="center" style={{ display: 'flex', marginBottom: 4 }}>
      {isImage(file) && <ImageThumb file={file} />}
      <Typography.Text>{file.name || '未命名文件'}</Typography.Text>
      <Typography.Text type="secondary">{formatFileSize(file.size)}</Typography.Text>
      <CopyFlag file={file} />
      {isPdf(file) && (
        <Button size="small" icon={<EyeOutlined />} loading={busy} onClick={openPdf}>
          预览
        </Button>
      )}
      <Button size="small" icon={<DownloadOutlined />} onClick={download}>
        下载
      </Button>
      <Modal open={pdf !== null} title={file.name} width={900} footer={null} onCancel={() => setPdf(null)} destroyOnHidden>
        {pdf && (
          <Suspense fallback={<Spin />}>
            <PdfViewer blob={pdf} />
          </Suspense>
        )}
      </Modal>
    </Space>
  );
}

function EvidenceItem({ e, filesById, timeZone }: { e: Evidence; filesById: Map<string, EvidenceFile>; timeZone?: string }) {
  const rev = (e.revisions ?? [])[(e.revisions ?? []).length - 1];
  const content = rev?.content ?? {};
  const files = (rev?.files?.length ? rev.files : (content.fileIds ?? []).map((id) => ({ id, name: id }))).map(
    (f) => filesById.get(f.id ?? '') ?? f,
  );
  const due = e.returnDueTime ? deadline(e.returnDueTime, new Date(), timeZone) : null;
  return (
    <div>
      {rev?.submitTime && <Typography.Text type="secondary">报送于 {formatDateTime(rev.submitTime, timeZone)}</Typography.Text>}
      {e.state === 'EVIDENCE_STATE_RETURNED' && (
        <div>
          <Typography.Text type="warning">
            已退回：{e.returnReason}
            {due ? `（整改截止 ${due.text}，${due.remaining}）` : ''}
          </Typography.Text>
        </div>
      )}
      {content.value && <div>测量值：{content.value}</div>}
      {content.narrative && (
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 4 }} ellipsis={{ rows: 4, expandable: true }}>
          {content.narrative}
        </Typography.Paragraph>
      )}
      {content.note && <Typography.Text type="secondary">备注：{content.note}</Typography.Text>}
      <Image.PreviewGroup>
        {files.map((f) => (
          <FileRow key={f.id} file={f} />
        ))}
      </Image.PreviewGroup>
    </div>
  );
}

function itemHeader(e: Evidence, filesById: Map<string, EvidenceFile>) {
  const rev = (e.revisions ?? [])[(e.revisions ?? []).length - 1];
  const n = rev?.files?.length ?? rev?.content?.fileIds?.length ?? 0;
  const copied = (rev?.files ?? []).some((f) => (filesById.get(f.id ?? '')?.copies ?? f.copies ?? []).length > 0);
  return (
    <Space wrap size={4}>
      <Typography.Text strong>{formatPeriod(e.period)}</Typography.Text>
      <Tag color={evidenceStateColor(e.state)}>{evidenceStateLabel(e.state)}</Tag>
      {e.locked && <Tag color="error">已锁定（计 0 分）</Tag>}
      {rev?.resubmission && <Tag color="processing">整改后重报</Tag>}
      {copied && <Tag color="error">含疑似雷同文件</Tag>}
      <Typography.Text type="secondary">{n} 个文件</Typography.Text>
    </Space>
  );
}

// EvidenceList shows one indicator's evidence items, the newest revision of each period,
// with the narrative and measured value as plain text and its files. Several periods
// fold into one panel each, the first open.
export function EvidenceList({ items, filesById, timeZone }: {
  items: Evidence[];
  filesById: Map<string, EvidenceFile>;
  timeZone?: string;
}) {
  if (items.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="未报送材料" />;
  const sorted = [...items].sort((a, b) => periodOrder(a.period).localeCompare(periodOrder(b.period)));
  if (sorted.length === 1) {
    return (
      <div style={{ borderTop: '1px dashed #eee', paddingTop: 6 }}>
        {itemHeader(sorted[0], filesById)}
        <EvidenceItem e={sorted[0]} filesById={filesById} timeZone={timeZone} />
      </div>
    );
  }
  return (
    <Collapse
      size="small"
      defaultActiveKey={[`${sorted[0].period}`]}
      items={sorted.map((e) => ({
        key: `${e.period}`,
        label: itemHeader(e, filesById),
        children: <EvidenceItem e={e} filesById={filesById} timeZone={timeZone} />,
      }))}
    />
  );
}
