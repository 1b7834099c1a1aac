// PdfViewer draws a PDF's pages onto a canvas with PDF.js, so a unit's PDF is never opened
// by the browser's own viewer in the console's origin: no scripts, forms or links of the
// file run, only its pixels are shown. The worker is a file of the build (worker-src 'self').
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Space, Spin, Typography } from 'antd';
import { LeftOutlined, RightOutlined, ZoomInOutlined, ZoomOutOutlined } from '@ant-design/icons';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

type PdfDoc = import('pdfjs-dist').PDFDocumentProxy;

export default function PdfViewer({ blob }: { blob: Blob }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<PdfDoc | null>(null);
  const [page, setPage] = useState(1);
  const [scale, setScale] = useState(1.2);
  const [error, setError] = useState('');

  useEffect(() => {
    let cancelled = false;
    let loaded: PdfDoc | null = null;
    (async () => {
      try {
        const pdfjs = await import('pdfjs-dist');
        pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
        const data = new Uint8Array(await blob.arrayBuffer());
        loaded = await pdfjs.getDocument({ data, isEvalSupported: false, enableXfa: false, stopAtErrors: false }).promise;
        if (cancelled) {
          void loaded.destroy();
          return;
        }
        setDoc(loaded);
        setPage(1);
      } catch {
        if (!cancelled) setError('无法显示此 PDF 文件，请下载后查看');
      }
    })();
    return () => {
      cancelled = true;
      if (loaded) void loaded.destroy();
    };
  }, [blob]);

  useEffect(() => {
    if (!doc || !canvas.current) return;
    let task: { cancel: () => void; promise: Promise<void> } | null = null;
    let cancelled = false;
    (async () => {
      const p = await doc.getPage(page);
      if (cancelled || !canvas.current) return;
      const viewport = p.getViewport({ scale });
      const c = canvas.current;
      c.width = Math.floor(viewport.width);
      c.height = Math.floor(viewport.height);
      task = p.render({ canvas: c, viewport });
      try {
        await task.promise;
      } catch {
        // a cancelled render (page turned quickly) is not an error
      }
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [doc, page, scale]);

  if (error) return <Alert type="warning" showIcon title={error} />;
  if (!doc) return <Spin />;
  return (
    <div>
      <Space style={{ marginBottom: 8 }}>
        <Button icon={<LeftOutlined />} aria-label="上一页" disabled={page <= 1} onClick={() => setPage(page - 1)} />
        <Typography.Text>
          第 {page} / {doc.numPages} 页
        </Typography.Text>
        <Button icon={<RightOutlined />} aria-label="下一页" disabled={page >= doc.numPages} onClick={() => setPage(page + 1)} />
        <Button icon={<ZoomOutOutlined />} aria-label="缩小" disabled={scale <= 0.6} onClick={() => setScale(scale - 0.2)} />
        <Button icon={<ZoomInOutlined />} aria-label="放大" disabled={scale >= 3} onClick={() => setScale(scale + 0.2)} />
      </Space>
      <div style={{ overflow: 'auto', maxHeight: '70vh', border: '1px solid #f0f0f0' }}>
        <canvas ref={canvas} data-testid="pdf-canvas" />
      </div>
    </div>
  );
}
