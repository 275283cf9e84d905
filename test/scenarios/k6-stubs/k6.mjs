const outsideVu = (name) => () => {
  throw new Error(`k6.${name}() called in the init context`);
};
export const check = outsideVu('check');
export const group = outsideVu('group');
export const sleep = outsideVu('sleep');
export const fail = outsideVu('fail');
export default { check, group, sleep, fail };
