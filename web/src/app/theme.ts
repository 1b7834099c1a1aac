import type { ThemeConfig } from 'antd';

/**
 * Motion is off for end-to-end runs and for people who ask for less motion: Playwright
 * can emulate prefers-reduced-motion, and a webdriver-controlled browser says so itself.
 * The class wenming-e2e on <html> turns it off too.
 */
export function motionOff(): boolean {
  if (typeof window === 'undefined') return false;
  if (document.documentElement.classList.contains('wenming-e2e')) return true;
  if (navigator.webdriver) return true;
  return !!window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
}

export function makeTheme(): ThemeConfig {
  return {
    token: {
      colorPrimary: '#b4232a',
      borderRadius: 6,
      motion: !motionOff(),
      // WCAG AA contrast (4.5:1 on white) for secondary text, which antd's defaults miss,
      // and links told apart from text by more than colour (axe-core checks both).
      colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
      colorTextDescription: 'rgba(0, 0, 0, 0.65)',
      colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
      colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
      linkDecoration: 'underline',
      colorLink: '#0958d9',
      // Error and warning text (danger buttons, "尚缺" notes) at AA contrast as well.
      colorError: '#c41d24',
      colorWarning: '#ad6800',
      colorWarningText: '#874d00',
      colorErrorText: '#a8071a',
      colorSuccessText: '#237804',
      colorInfo: '#0958d9',
      fontFamily:
        "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
    },
  };
}
