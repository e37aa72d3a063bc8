/** A case code as the receipt prints it, in groups of 4, 3 and 3 digits ("2612 804 926"), so it can be compared by eye. */
export const groupCode = (code: string): string => code.replace(/^(\d{4})(\d{3})(\d{3})$/, '$1 $2 $3');
