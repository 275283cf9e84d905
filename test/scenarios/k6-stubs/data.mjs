export function SharedArray(_name, load) {
  return Object.freeze(load());
}
export default { SharedArray };
