/** @type {import('tailwindcss').Config} */
module.exports = {
  content: [__dirname + '/src/**/*.{html,js}'],
  theme: {
    extend: {
      colors: {
        brand: {
          50: '#eef4ff', 100: '#dae6ff', 200: '#bdd3ff', 300: '#90b6ff', 400: '#5c8dfd',
          500: '#3766f8', 600: '#2147ed', 700: '#1a35d9', 800: '#1c2ead', 900: '#1d2d88', 950: '#161d53',
        },
        accent: { 400: '#fbbf24', 500: '#f59e0b', 600: '#d97706' },
      },
      fontFamily: {
        sans: ['Inter', 'ui-sans-serif', 'system-ui', '-apple-system', 'Segoe UI', 'Roboto', 'Helvetica Neue', 'Arial', 'sans-serif'],
      },
    },
  },
  plugins: [],
};
