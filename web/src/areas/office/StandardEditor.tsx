export default function StandardEditor() {
  return null;
}
