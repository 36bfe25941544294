module goroscope/bench/gen

go 1.22
