// ImportUnits registers many units from the XLSX template. The import is all or nothing:
// a refused file (UNIT_FILE_INVALID) lists every problem by row and column, shown here as a
// table the admin fixes the file from.
import { useState } from 'react';
import { Alert, Button, Modal, Space, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { api, idempotencyKey, unwrap, withIdempotency } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { downloadFile } from '../../lib/files';
import { parseRowProblems, type RowProblem } from './importProblems';
import { message } from '../../lib/feedback';

export function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function ProblemsTable({ problems }: { problems: RowProblem[] }) {
  return (
    <Table<RowProblem & { i: number }>
      size="small"
      rowKey="i"
      dataSource={problems.map((p, i) => ({ ...p, i }))}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      columns={[
        { title: '行', width: 60, render: (_, p) => p.row ?? '—' },
        { title: '列', width: 160, render: (_, p) => (p.column ? `${p.column}（${p.header ?? ''}）` : '—') },
        { title: '问题', render: (_, p) => p.message },
      ]}
    />
  );
}

const MAX_BYTES = 1 << 20;

export default function ImportUnits({ officeId, onDone }: { officeId: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<RowProblem[]>([]);
  const [failure, setFailure] = useState('');
  const [done, setDone] = useState<number | null>(null);

  const reset = () => {
    setFile(null);
    setProblems([]);
    setFailure('');
    setDone(null);
  };
  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setProblems([]);
    setFailure('');
    try {
      const content = toBase64(await file.arrayBuffer());
      // One key per file chosen: a retry after a lost answer registers the units once.
      const r = unwrap(await api.POST('/v1/offices/{officeId}/units:import', {
        params: { path: { officeId } },
        body: { content },
        ...withIdempotency(idemFor(file)),
      }));
      setDone((r.units ?? []).length);
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'UNIT_FILE_INVALID') {
        setFailure(e.message);
        setProblems(parseRowProblems(e.fieldViolations));
      } else {
        setFailure(errorMessage(e));
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button icon={<UploadOutlined />} onClick={() => setOpen(true)}>
        批量导入
      </Button>
      <Modal
        open={open}
        title="从 Excel 批量导入单位"
        width={760}
        onCancel={() => {
          setOpen(false);
          reset();
        }}
        footer={
          <Space>
            <Button
              icon={<DownloadOutlined />}
              onClick={() =>
                downloadFile(`/v1/offices/${encodeURIComponent(officeId)}/units:template`, {}, '单位名单模板.xlsx').catch((e) =>
                  message.error(errorMessage(e)),
                )
              }
            >
              下载模板
            </Button>
            <Button type="primary" disabled={!file} loading={busy} onClick={submit}>
              导入
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">
          按模板“单位名单”工作表逐行填写（单位名称、统一社会信用代码、单位类别）。文件中有任何问题时不会登记任何单位，请按下表修改后重新导入。
        </Typography.Paragraph>
        <Upload
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          maxCount={1}
          beforeUpload={(f) => {
            reset();
            if (f.size > MAX_BYTES) {
              setFailure('文件不能超过 1 MB');
              return Upload.LIST_IGNORE;
            }
            setFile(f);
            return false;
          }}
          onRemove={() => reset()}
          fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
        >
          <Button icon={<UploadOutlined />}>选择文件</Button>
        </Upload>
        {done !== null && <Alert style={{ marginTop: 12 }} type="success" showIcon title={`已登记 ${done} 个单位`} />}
        {failure && <Alert style={{ marginTop: 12 }} type="error" showIcon title={failure} />}
        {problems.length > 0 && (
          <div style={{ marginTop: 12 }}>
            <ProblemsTable problems={problems} />
          </div>
        )}
      </Modal>
    </>
  );
}

const keys = new WeakMap<File, string>();
function idemFor(f: File): string {
  let k = keys.get(f);
  if (!k) {
    k = idempotencyKey();
    keys.set(f, k);
  }
  return k;
}
