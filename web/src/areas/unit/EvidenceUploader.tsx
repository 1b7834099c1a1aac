import { useEffect, useRef, useState } from 'react';
import { App, Button, ConfigProvider, Progress, Space, Tag, Typography, Upload } from 'antd';
import { ItemList } from '../../lib/ItemList';
import { DeleteOutlined, DownloadOutlined, InboxOutlined, ReloadOutlined } from '@ant-design/icons';
import { idempotencyKey } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { formatFileSize } from '../../lib/format';
import type { EvidenceFile } from './api';
import { uploadFile } from './upload';
import { saveStoredFile } from '../../lib/files';

interface Pending {
  uid: string;
  file: File;
  key: string;
  percent: number;
  status: 'uploading' | 'error';
  error?: string;
}

/** Whether a stored name's extension (the server names files by their detected type) is one the spec takes. */
export function typeAccepted(name: string | undefined, types: string[] | undefined): boolean {
  if (!types?.length) return true;
  const ext = (name ?? '').toLowerCase().split('.').pop() ?? '';
  const ok = new Set(types.map((t) => t.toLowerCase().replace(/^\./, '')));
  if (ok.has('jpg')) ok.add('jpeg');
  if (ok.has('jpeg')) ok.add('jpg');
  return ok.has(ext);
}

/** The accept attribute of the picker from the spec's file types ("jpg", "pdf"). */
export function acceptFor(types: string[] | undefined): string | undefined {
  if (!types?.length) return undefined;
  const ext = new Set<string>();
  for (const t of types) {
    const x = t.toLowerCase().replace(/^\./, '');
    ext.add('.' + x);
    if (x === 'jpg') ext.add('.jpeg');
    if (x === 'jpeg') ext.add('.jpg');
  }
  return [...ext].join(',');
}

export interface EvidenceUploaderProps {
  applicationId: string;
  /** Files attached to the draft. */
  value?: EvidenceFile[];
  onChange?: (files: EvidenceFile[]) => void;
  fileTypes?: string[];
  disabled?: boolean;
  /** How often to send one file before giving up (faults of the platform only). */
  attempts?: number;
  backoffMs?: number;
}

/**
 * EvidenceUploader takes files by drag-and-drop or the picker and uploads each at once,
 * with its progress; a failed upload stays in the list with the server's reason and a
 * retry button (same Idempotency-Key, so a retry never stores a file twice).
 */
export function EvidenceUploader({
  applicationId,
  value = [],
  onChange,
  fileTypes,
  disabled,
  attempts,
  backoffMs,
}: EvidenceUploaderProps) {
  const { message } = App.useApp();
  const [pending, setPending] = useState<Pending[]>([]);
  // Uploads finish in any order: the latest list is read from a ref, not a stale closure.
  const current = useRef(value);
  current.current = value;
  const aborts = useRef(new Map<string, AbortController>());
  useEffect(() => () => aborts.current.forEach((a) => a.abort()), []);

  const update = (uid: string, patch: Partial<Pending>) =>
    setPending((ps) => ps.map((p) => (p.uid === uid ? { ...p, ...patch } : p)));

  const start = async (p: Pending) => {
    const ctrl = new AbortController();
    aborts.current.set(p.uid, ctrl);
    update(p.uid, { status: 'uploading', percent: 0, error: undefined });
    try {
      const f = await uploadFile(
        {
          applicationId,
          file: p.file,
          idempotencyKey: p.key,
          signal: ctrl.signal,
          onProgress: (percent) => update(p.uid, { percent }),
        },
        { attempts, backoffMs },
      );
      setPending((ps) => ps.filter((x) => x.uid !== p.uid));
      if (!current.current.some((x) => x.id === f.id)) {
        const next = [...current.current, f];
        current.current = next;
        onChange?.(next);
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
      update(p.uid, { status: 'error', error: errorMessage(e) });
    } finally {
      aborts.current.delete(p.uid);
    }
  };

  const add = (file: File) => {
    const p: Pending = { uid: idempotencyKey(), file, key: idempotencyKey(), percent: 0, status: 'uploading' };
    setPending((ps) => [...ps, p]);
    void start(p);
  };

  const cancel = (uid: string) => {
    aborts.current.get(uid)?.abort();
    setPending((ps) => ps.filter((x) => x.uid !== uid));
  };

  return (
    <div>
      {!disabled && (
        <Upload.Dragger
          multiple
          accept={acceptFor(fileTypes)}
          showUploadList={false}
          beforeUpload={(file) => {
            add(file as File);
            return Upload.LIST_IGNORE;
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">将文件拖到此处，或点击选择文件</p>
          <p className="ant-upload-hint">
            {fileTypes?.length ? `本指标接受：${fileTypes.join('、')}。` : ''}
            支持图片、PDF、OFD、Office 文档、音视频；单个文件默认不超过 50 MB。
          </p>
        </Upload.Dragger>
      )}
      {pending.length > 0 && (
        <ItemList
          style={{ marginTop: 8 }}
          items={pending}
          rowKey={(p) => p.uid}
          actions={(p) =>
            p.status === 'error'
              ? [
                  <Button key="retry" size="small" icon={<ReloadOutlined />} onClick={() => void start(p)}>
                    重试
                  </Button>,
                  <Button key="remove" size="small" type="text" onClick={() => cancel(p.uid)}>
                    移除
                  </Button>,
                ]
              : [
                  <Button key="cancel" size="small" type="text" onClick={() => cancel(p.uid)}>
                    取消
                  </Button>,
                ]
          }
          render={(p) => (
            <div style={{ width: '100%' }}>
              <Typography.Text>{p.file.name}</Typography.Text>{' '}
              <Typography.Text type="secondary">{formatFileSize(p.file.size)}</Typography.Text>
              {p.status === 'uploading' ? (
                <Progress percent={p.percent} size="small" aria-label={`${p.file.name} 上传进度`} />
              ) : (
                <div>
                  <Typography.Text type="danger" role="alert">
                    上传失败：{p.error}
                  </Typography.Text>
                </div>
              )}
            </div>
          )}
        />
      )}
      {value.length > 0 && (
        // Attached files stay readable and downloadable in a read-only form: the form's
        // disabled state reaches only the remove buttons.
        <ConfigProvider componentDisabled={false}>
          <ItemList
            style={{ marginTop: 8 }}
            header={<Typography.Text strong>已附文件（{value.length}）</Typography.Text>}
            items={value}
            rowKey={(f, i) => f.id ?? i}
            actions={(f) => [
              <Button
                key="dl"
                size="small"
                type="link"
                // Downloads stay possible while the form is read-only.
                disabled={false}
                icon={<DownloadOutlined />}
                onClick={() => void saveStoredFile(f.id ?? '', f.name ?? '').catch((e) => message.error(errorMessage(e)))}
              >
                下载
              </Button>,
              <Button
                key="rm"
                size="small"
                type="text"
                danger
                disabled={disabled}
                icon={<DeleteOutlined />}
                aria-label={`移除 ${f.name ?? ''}`}
                onClick={() => onChange?.(value.filter((x) => x.id !== f.id))}
              />,
            ]}
            render={(f) => (
              <Space>
                <Typography.Text>{f.name}</Typography.Text>
                <Typography.Text type="secondary">{formatFileSize(f.size)}</Typography.Text>
                {f.contentType?.startsWith('image/') && <Tag>照片</Tag>}
                {!typeAccepted(f.name, fileTypes) && <Tag color="warning">本指标不接受此类型</Tag>}
              </Space>
            )}
          />
        </ConfigProvider>
      )}
      {disabled && value.length === 0 && <Typography.Text type="secondary">未附文件</Typography.Text>}
    </div>
  );
}
