/**
 * What the simulated pupil types. The benign text matches nothing in the curated lists; each
 * phrase matches at least one entry of severity ≥ 2 that no other phrase here matches, so each
 * one is a new capture (the 60 s throttle folds only the same entry in the same window).
 */
export const BENIGN_LINES = [
  'the water cycle describes how water moves between the land the sea and the sky',
  'heat from the sun makes water in rivers and oceans evaporate into vapour',
  'as the vapour rises it cools and condenses into tiny droplets that form clouds',
  'when the droplets join together they become heavy and fall as rain or snow',
  'some of that water soaks into the ground and some flows back to the sea',
  'plants take up water through their roots and release it from their leaves',
  'this process is called transpiration and it adds more vapour to the air',
  'our homework is to draw a labelled diagram of the cycle for next tuesday',
  'remember to use a ruler and to colour the arrows in blue and the sun in yellow',
  'in maths we are learning about fractions decimals and percentages this term',
  'half of one hundred is fifty and a quarter of one hundred is twenty five',
  'to change a fraction into a percentage multiply it by one hundred',
  'the castle was built by the normans after the battle of hastings in ten sixty six',
  'they used stone for the walls and wood for the drawbridge and the gate',
];

export const PHRASES = [
  'kill myself',
  'self harm',
  'free robux',
  'chasing losses',
  'pro ana',
  'going country',
  'send nudes',
  'skunk weed',
  'dont tell ur mum',
  'kill yourself',
  'thc vape',
  'dab pen',
  'ana coach',
  'free vbucks',
  'i cut myself again',
  'im gonna shoot him',
  'islamic state propaganda',
  'blunt wrap',
  'chase my losses',
  'free gems',
  'pro mia',
  'gone country',
  'sen noods',
  'free minecoins',
  'kys',
  'i want to die',
];
