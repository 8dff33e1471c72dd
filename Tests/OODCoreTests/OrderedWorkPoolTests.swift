import Foundation
import Testing
@testable import OODCore

@Suite struct OrderedWorkPoolTests {
    @Test(arguments: [1, 2, 4])
    func resultsComeBackInSubmissionOrder(workers: Int) {
        // Uneven work makes later jobs finish first on several workers.
        let pool = OrderedWorkPool<Int, Int>(workers: workers) { value in
            usleep(useconds_t((value * 7919) % 5 * 300))
            return value * value
        }
        var results: [Int] = []
        for value in 0..<200 {
            pool.submit(value)
            while pool.pending >= 8 { results.append(pool.next()!) }
        }
        while let result = pool.next() { results.append(result) }
        #expect(results == (0..<200).map { $0 * $0 })
        #expect(pool.pending == 0)
        pool.close()
    }

    @Test func nextIsNilWhenNothingIsPending() {
        let pool = OrderedWorkPool<Int, Int>(workers: 2) { $0 }
        #expect(pool.next() == nil)
        pool.close()
    }
}
