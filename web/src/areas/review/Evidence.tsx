import { lazy, Suspense, useEffect, useState } from 'react';
import { Button, Empty, Image, Modal, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined, EyeOutlined, WarningOutlined } from '@ant-design/icons';
import type { components } from '../../api/schema';
import { errorMessage } from '../../api/errors';
import { deadline, formatDateTime, formatFileSize, formatPeriod, periodOrder } from '../../lib/format';
import { evidenceStateColor, evidenceStateLabel } from '../../lib/labels';
import { fetchFile, saveBlob } from './files';
import { message } from './feedback';

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
      <Tag color="red" icon={<WarningOutlined />}>
        疑似雷同（{copies.length}）
      </Tag>
    </Tooltip>
  );
}

// ImageThumb fetches an image with the bearer token and shows it from a blob: URL
// (img-src allows blob:), never from a URL that would need a cookie.
function ImageThumb({ file }: { file: EvidenceFile }) {
  const [src, setSrc] = useState<string>('');
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let url = '';
    let cancelled = false;
    fetchFile(`/v1/files/${encodeURIComponent(file.id ?? '')}/content`, {}, file.name)
      .then((f) => {
        if (cancelled) return;
        url = URL.createObjectURL(f.blob);
        setSrc(url);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [file.id, file.name]);
  if (failed) return <Typography.Text type="secondary">图片无法加载</Typography.Text>;
  if (!src) return <Spin size="small" />;
  return <Image src={src} alt={file.name ?? ''} width={120} height={90} style={{ objectFit: 'cover' }} />;
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
      const f = await fetchFile(path, {}, file.name);
      saveBlob(f.blob, file.name || f.name);
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  return (
    <Space wrap align="center" style={{ marginBottom: 4 }}>
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

// EvidenceList shows one indicator's evidence items (every period), newest revision of
// each, with the narrative and measured value as plain text and its files.
export function EvidenceList({ items, filesById, timeZone }: {
  items: Evidence[];
  filesById: Map<string, EvidenceFile>;
  timeZone?: string;
}) {
  if (items.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="未报送材料" />;
  const sorted = [...items].sort((a, b) => periodOrder(a.period).localeCompare(periodOrder(b.period)));
  return (
    <div>
      {sorted.map((e) => {
        const rev = (e.revisions ?? [])[(e.revisions ?? []).length - 1];
        const content = rev?.content ?? {};
        const files = (rev?.files?.length ? rev.files : (content.fileIds ?? []).map((id) => filesById.get(id) ?? { id, name: id }))
          .map((f) => filesById.get(f.id ?? '') ?? f);
        const due = e.returnDueTime ? deadline(e.returnDueTime, new Date(), timeZone) : null;
        return (
          <div key={`${e.indicatorCode}/${e.period}`} style={{ borderTop: '1px dashed #eee', padding: '6px 0' }}>
            <Space wrap>
              <Typography.Text strong>{formatPeriod(e.period)}</Typography.Text>
              <Tag color={evidenceStateColor(e.state)}>{evidenceStateLabel(e.state)}</Tag>
              {e.locked && <Tag color="red">已锁定（计 0 分）</Tag>}
              {rev?.resubmission && <Tag color="blue">整改后重报</Tag>}
              {rev?.submitTime && <Typography.Text type="secondary">报送于 {formatDateTime(rev.submitTime, timeZone)}</Typography.Text>}
            </Space>
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
            <div>
              {files.map((f) => (
                <FileRow key={f.id} file={f} />
              ))}
            </div>
          </div>
        );
      })}
    </div>
  );
}
