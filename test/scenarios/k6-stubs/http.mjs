const outsideVu = (name) => () => {
  throw new Error(`http.${name}() called in the init context`);
};
export const request = outsideVu('request');
export const asyncRequest = outsideVu('asyncRequest');
export const get = outsideVu('get');
export const post = outsideVu('post');
export const file = (data, filename, contentType) => ({ data, filename, content_type: contentType });
export default { request, asyncRequest, get, post, file };
