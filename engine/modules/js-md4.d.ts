// Types for js-md4 (it ships none): the part k6/crypto uses.
declare module 'js-md4' {
  interface Md4 {
    update(message: string | ArrayBuffer | Uint8Array): Md4;
    arrayBuffer(): ArrayBuffer;
    hex(): string;
  }
  const md4: {
    create(): Md4;
    arrayBuffer(message: string | ArrayBuffer | Uint8Array): ArrayBuffer;
    hex(message: string | ArrayBuffer | Uint8Array): string;
  };
  export default md4;
}
