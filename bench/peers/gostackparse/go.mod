module goroscope/bench/peers/gostackparse

go 1.22

require github.com/DataDog/gostackparse v0.7.0
