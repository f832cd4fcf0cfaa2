import "uplot/dist/uPlot.min.css"; console.log(1);
