export const vu = { idInTest: 0, iterationInScenario: 0 };
export default { vu };
