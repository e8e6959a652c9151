module.exports = { ...require('../jest.preset.cjs'), displayName: 'keyword-lists' };
